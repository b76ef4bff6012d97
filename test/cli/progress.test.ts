import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.js';
import { CLI } from '../helpers/cli.js';

/** A stand-in terminal stream that records what is written to it, in order, into `log`. */
function fakeTty(name: string, log: string[], columns = 60): NodeJS.WriteStream {
  return { isTTY: true, columns, write(text: string) { log.push(`${name}:${text}`); return true; } } as unknown as NodeJS.WriteStream;
}

describe('progress line', () => {
  it('erases itself before any other write, never saves the cursor or turns wrap off, and fits the width', () => {
    const log: string[] = [];
    const out = fakeTty('out', log);
    const err = fakeTty('err', log, 30);
    const ownWrite = out.write;
    const progress = new Progress(true, out, err);
    progress.update('/evidence/' + 'x'.repeat(60) + '\u001b]0;title\u0007.json', 1000, 2);
    out.write('ALERT\n');
    err.write('bad record\n');
    progress.update('b.json', 2000, 3); // within the redraw interval: not drawn
    progress.stop();
    out.write('after\n');
    expect(log[0]).toMatch(/^err:\r\u001b\[K…x+\\u001b\]0;title/);
    expect(log[0]!.length - 'err:\r\u001b[K'.length).toBe(29);
    expect(log.slice(1)).toEqual(['err:\r\u001b[K', 'out:ALERT\n', 'err:bad record\n', 'out:after\n']);
    expect(log.join('')).not.toMatch(/\u001b7|\u001b8|\u001b\[\?7l|\u001b\[s|\u001b\[u/);
    expect(out.write).toBe(ownWrite);
  });

  it('does nothing when disabled', () => {
    const log: string[] = [];
    const progress = new Progress(false, fakeTty('out', log), fakeTty('err', log));
    progress.update('a', 1, 1);
    progress.stop();
    expect(log).toEqual([]);
  });
});

/**
 * The real thing: `scan` in a pseudo-terminal (tmux 80x30, its own server socket), the screen
 * read back with `tmux capture-pane -J` (wrapped lines joined). Every alert line and the summary
 * must be on the screen intact, with no progress remnant, and a long line printed afterwards
 * must wrap (line wrap left on).
 */
describe('scan on a terminal (tmux)', () => {
  it('shows every alert and the summary intact, and leaves line wrap on', () => {
    expect(spawnSync('tmux', ['-V']).status, 'this test needs tmux').toBe(0);
    const dir = mkdtempSync(join(tmpdir(), 'sw-pty-'));
    const input = join(dir, 'events.ndjson');
    const lines: string[] = [];
    for (let i = 0; i < 150_000; i++) {
      const hit = i % 5000 === 2500; // 30 alerts spread over the scan, progress redrawn in between
      lines.push(JSON.stringify({
        category: 'process_creation', product: 'windows', Computer: `ws${i % 7}`, UtcTime: '2026-11-27 10:00:00.000',
        Image: hit ? 'C:\\Windows\\System32\\cmd.exe' : 'C:\\Windows\\notepad.exe',
        ParentImage: hit ? 'C:\\Program Files\\nodejs\\node.exe' : 'explorer.exe',
        CommandLine: hit ? `cmd.exe /c whoami ${i}` : `notepad x${i}`,
      }));
    }
    writeFileSync(input, lines.join('\n') + '\n');
    const piped = spawnSync(process.execPath, [CLI, 'scan', input, '--format', 'jsonl'], { encoding: 'utf8' });
    expect(piped.status).toBe(1);
    const expected = piped.stdout.trim().split('\n');
    expect(expected).toHaveLength(30);

    const conf = join(dir, 'tmux.conf');
    writeFileSync(conf, 'set -g history-limit 50000\n');
    const socket = `sw-progress-${process.pid}`;
    const tmux = (...args: string[]) => execFileSync('tmux', ['-L', socket, '-f', conf, ...args], { encoding: 'utf8' });
    const long = 'W'.repeat(200);
    const script = `node ${CLI} scan ${input} --format jsonl; printf '${long}\\n'; echo __DONE__; sleep 600`;
    tmux('new-session', '-d', '-x', '80', '-y', '30', script);
    try {
      let screen = '';
      for (let polls = 0; polls < 600 && !screen.includes('__DONE__'); polls++) {
        execFileSync('sleep', ['0.1']);
        screen = tmux('capture-pane', '-p', '-J', '-S', '-');
      }
      expect(screen).toContain('__DONE__');
      const shown = screen.split('\n');
      for (const alert of expected) expect(shown, 'an alert line cut or overwritten').toContain(alert);
      expect(shown.filter((l) => l.startsWith('{"rule"'))).toEqual(expected);
      expect(shown).toContain('alerts: 30');
      expect(shown.some((l) => /^elapsed: [\d.]+ s, \d+ events\/s$/.test(l))).toBe(true);
      expect(screen).not.toContain('ev/s |');
      // Wrap on: unjoined, the 200 characters take three rows of 80; joined, one intact line.
      expect(shown).toContain(long);
      const rows = tmux('capture-pane', '-p', '-S', '-').split('\n');
      expect(rows).toContain('W'.repeat(80));
      expect(rows).toContain('W'.repeat(40));
    } finally {
      tmux('kill-server');
    }
  }, 60_000);
});
