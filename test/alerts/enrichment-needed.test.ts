/**
 * Keywords search what the log recorded: they need no enrichment, and where a scan enriches for
 * another rule, a keyword in an ancestor's command line does not make every descendant match.
 */
import { describe, expect, it } from 'vitest';
import type { Alert } from '../../src/alerts/alert.js';
import { enrichmentNeeded } from '../../src/alerts/enrichment-needed.js';
import type { Pack } from '../../src/alerts/pack.js';
import { EventPipeline } from '../../src/alerts/pipeline.js';
import type { NormalizedEvent } from '../../src/events/event.js';
import { loadRulesFromText } from '../../src/sigma/index.js';

const rule = (title: string, logsource: string, detection: string) =>
  `title: ${title}\nlogsource:\n${logsource.replace(/^/gm, '    ')}\ndetection:\n${detection.replace(/^/gm, '    ')}\n`;
const KEYWORDS = rule('keywords', 'product: windows', "keywords:\n    - 'sekurlsa::'\ncondition: keywords");
const KEYWORDS_RE = rule('keywords-re', 'product: windows', "keywords:\n    '|re': 'lsadump::[a-z]+'\ncondition: keywords");
const ANCESTRY = rule('ancestry', 'category: process_creation\nproduct: windows', "sel:\n    AncestorImages|endswith: '\\mimikatz.exe'\ncondition: sel");

function pack(text: string): Pack {
  const { rules } = loadRulesFromText(text, 'pack.yml');
  return { name: 'test', rules, selection: 'all', labels: new Map() } as unknown as Pack;
}

function start(guid: string, parent: string | undefined, image: string, commandLine: string, second: number): NormalizedEvent {
  return {
    fields: { EventID: 1, ProcessGuid: guid, ProcessId: second, ...(parent ? { ParentProcessGuid: parent } : {}), Image: image, CommandLine: commandLine },
    source: { file: 'test', format: 'test', line: second },
    category: 'process_creation',
    product: 'windows',
    service: 'sysmon',
    host: 'ws1',
    time: Date.UTC(2026, 11, 7, 12, 0, second),
  };
}

describe('keywords and enrichment', () => {
  it('keyword rules, with or without modifiers, need no enrichment; a rule reading an enriched field does', () => {
    expect(enrichmentNeeded([pack([KEYWORDS, KEYWORDS_RE].join('---\n'))])).toBe(false);
    expect(enrichmentNeeded([pack([KEYWORDS, ANCESTRY].join('---\n'))])).toBe(true);
  });

  it('a keyword in an ancestor does not match its descendants, though the scan enriches them', () => {
    const pipeline = new EventPipeline([pack([KEYWORDS, ANCESTRY].join('---\n'))], { now: 0 });
    const alerts: Alert[] = [];
    const events = [
      start('{p}', undefined, 'C:\\tools\\mimikatz.exe', 'mimikatz.exe sekurlsa::logonpasswords', 1),
      start('{c}', '{p}', 'C:\\Windows\\System32\\cmd.exe', 'cmd /c whoami', 2),
      start('{g}', '{c}', 'C:\\Windows\\System32\\whoami.exe', 'whoami', 3),
    ];
    events.forEach((event, i) => pipeline.process(event, i + 1, alerts));
    pipeline.finish(alerts);
    const fired = alerts.map((a) => `${a.rule.title}@${a.seq}`).sort();
    // The ancestry rule shows the descendants were enriched with the ancestor's image.
    expect(fired).toEqual(['ancestry@2', 'ancestry@3', 'keywords@1']);
  });
});
