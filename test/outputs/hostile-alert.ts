import type { Alert } from '../../src/alerts/alert.js';
import { compileColumn, type Column } from '../../src/alerts/columns.js';
import type { Pack } from '../../src/alerts/pack.js';
import type { CompiledRule } from '../../src/sigma/index.js';

/**
 * An alert whose every untrusted string is hostile: a title with `|`, `\` and a line break,
 * a command line with `|`, `=`, backslashes, a tab, LF, CR, an ANSI colour (ESC) and a
 * right-to-left override. The golden tests of each format spell out what it must become.
 */
export const HOSTILE_COMMAND_LINE = 'cmd /c "a|b" x=1 C:\\tmp\\t\tTAB\nNEXT\r\u001b[31mRED\u202eevil';

export function hostileRule(overrides: Partial<CompiledRule> = {}): CompiledRule {
  return {
    id: '11111111-2222-4333-8444-555555555555',
    title: 'Pipe | back\\slash\nnew',
    level: 'high',
    tags: ['attack.t1195.001', 'attack.initial-access'],
    falsepositives: [],
    logsource: { category: 'process_creation', product: 'windows' },
    file: '/rules/hostile.yml',
    line: 1,
    raw: {},
    matches: () => true,
    ...overrides,
  };
}

export const ARM_COLUMN = compileColumn('Arm', 'label') as Column;

export function hostilePack(): Pack {
  return { name: 'hostile', rules: [], selection: 'all', labels: new Map(), columns: [ARM_COLUMN] };
}

export function hostileAlert(rule: CompiledRule = hostileRule(), commandLine = HOSTILE_COMMAND_LINE): Alert {
  return {
    seq: 7,
    pack: hostilePack(),
    rule,
    label: 'A=B|C',
    event: {
      time: Date.parse('2026-11-27T09:16:40.004Z'),
      host: 'HOST',
      user: 'CORP\\alice',
      category: 'process_creation',
      product: 'windows',
      fields: { Image: 'C:\\Windows\\cmd.exe', CommandLine: commandLine },
      source: { file: '/logs/x.ndjson', format: 'sigma-ndjson', line: 7 },
    },
  };
}
