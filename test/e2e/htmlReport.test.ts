/**
 * The HTML report in a real headless Chromium (Debian's, installed by .ci/ensure-chromium; no
 * browser download): the counts, the chart and the filters render and work, the page loads
 * nothing from the network, and hostile finding values stay text. One browser for the file.
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ReplayResult } from '../../src/local/tools/replay.ts';
import { htmlReport } from '../../src/report/htmlReport.ts';
import { HOSTILE, hostileFinding, input, sessionFinding } from '../unit/report/reportFixtures.ts';
import { cli } from './cliHelpers.ts';
import { demoWorld, EVENTS_DIR, ROOT, readEvents, replayAll } from './replayHelpers.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
// What Chromium needs on a closed network as root: no sandbox, no GPU, no background calls home.
const FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The bundled EventBridge events in event-time order, as the demo replays them. */
const bundledEvents = async () => {
  const names = (await readdir(EVENTS_DIR)).filter((name) => name.endsWith('.json'));
  const events = (await readEvents(names)).filter(
    (e) => typeof e.event === 'object' && e.event !== null && 'detail-type' in e.event,
  );
  const time = (e: { event: unknown }): string => String((e.event as { time?: unknown }).time);
  return events.sort((a, b) => time(a).localeCompare(time(b)));
};

let dir: string;
let context: BrowserContext;
let result: ReplayResult;
let reportUrl: string;
let hostileUrl: string;
let auditUrl: string;
/** The audit command's findings of the same report (`--format json`), to check the HTML against. */
let audited: {
  findings: { RecordState: string; Compliance: { Status: string }; Severity: { Label: string } }[];
};
const offPage: string[] = [];

const open = async (url: string): Promise<{ page: Page; problems: string[] }> => {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  await page.goto(url);
  return { page, problems };
};

const visibleCount = (page: Page): Promise<number> => page.locator('#findings > .finding:visible').count();

beforeAll(async () => {
  // The repository installs its own browser (a fast no-op when it is there).
  execFileSync(path.join(ROOT, '.ci/ensure-chromium'), { stdio: 'inherit' });
  dir = await mkdtemp(path.join(tmpdir(), 'html-report-'));
  result = await replayAll(await bundledEvents(), { world: await demoWorld() });
  const report = path.join(dir, 'report.html');
  const hostile = path.join(dir, 'hostile.html');
  await writeFile(report, htmlReport(result, { generatedAt: '2026-03-02T00:00:00.000Z' }));
  await writeFile(hostile, htmlReport(input(sessionFinding(), hostileFinding())));
  reportUrl = pathToFileURL(report).href;
  hostileUrl = pathToFileURL(hostile).href;
  // The command a user runs to get the report of what already happened (the world's CloudTrail history).
  const auditFile = path.join(dir, 'audit-report.html');
  const world = 'src/local/world/demo-world.json';
  const [html, json] = await Promise.all([
    cli(['audit', '--world', world, '--format', 'html', '--out', auditFile]),
    cli(['audit', '--world', world, '--format', 'json']),
  ]);
  if (html.code !== 3 || json.code !== 3) throw new Error(`audit failed: ${html.stderr}${json.stderr}`);
  audited = JSON.parse(json.stdout) as typeof audited;
  auditUrl = pathToFileURL(auditFile).href;
  context = await chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
  await context.route('**/*', (route) => {
    const url = route.request().url();
    if (url.startsWith('file:')) return route.continue();
    offPage.push(url);
    return route.abort();
  });
}, 600_000);

afterAll(async () => {
  await context?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

describe('HTML report in headless Chromium', () => {
  it('shows the counts of the replayed findings', async () => {
    // Prepare
    const findings = result.findings;
    const active = findings.filter((f) => f.RecordState !== 'ARCHIVED');
    const status = (s: string): number => active.filter((f) => f.Compliance?.Status === s).length;
    const { page, problems } = await open(reportUrl);

    // Act
    const tile = (key: string) => page.locator(`#count-${key}`).textContent();

    // Assess
    expect(findings.length).toBeGreaterThan(10);
    expect(await tile('total')).toBe(String(active.length));
    expect(await tile('failed')).toBe(String(status('FAILED')));
    expect(await tile('passed')).toBe(String(status('PASSED')));
    expect(await tile('archived')).toBe(String(findings.length - active.length));
    expect(await page.locator('#shown').textContent()).toBe(`Showing ${active.length} of ${findings.length}`);
    expect(await visibleCount(page)).toBe(active.length);
    expect(await page.locator('#evaluations').textContent()).toContain(
      `${result.evaluations.length} event(s) evaluated`,
    );
    expect(problems).toEqual([]);
    if (process.env.REPORT_SCREENSHOT !== undefined) {
      await page.screenshot({ path: process.env.REPORT_SCREENSHOT, fullPage: true });
    }
    await page.close();
  });

  it('draws one chart whose bars add up to every finding', async () => {
    // Prepare
    const { page } = await open(reportUrl);

    // Act
    const counts = await page
      .locator('#outcome-chart rect.bar')
      .evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-count'))));
    const box = await page.locator('#outcome-chart').boundingBox();
    const outcomes = new Set(result.findings.map((f) => f.ProductFields?.['RunAs/Outcome']));

    // Assess
    expect(await page.locator('svg.chart').count()).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(result.findings.length);
    expect(box?.height ?? 0).toBeGreaterThan(150);
    expect(await page.locator('.legend li').count()).toBe(outcomes.size);
    await page.close();
  });

  it('filters the rows by severity, by principal and by text', async () => {
    // Prepare
    const { page } = await open(reportUrl);
    const active = result.findings.filter((f) => f.RecordState !== 'ARCHIVED');
    const all = await visibleCount(page);

    // Act: severity
    await page.selectOption('select[name=severity]', 'MEDIUM');
    const medium = await page
      .locator('#findings > .finding:visible')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-severity')));
    // Act: the top principal's button
    await page.selectOption('select[name=severity]', '');
    const top = page.locator('button.pick').first();
    const principal = await top.getAttribute('data-q');
    await top.click();
    const ofPrincipal = await visibleCount(page);
    // Act: every state, then words that match nothing
    await page.fill('input[name=q]', '');
    await page.selectOption('select[name=state]', '');
    const everything = await visibleCount(page);
    await page.fill('input[name=q]', 'no such principal anywhere');

    // Assess
    expect(medium).toEqual(active.filter((f) => f.Severity.Label === 'MEDIUM').map(() => 'MEDIUM'));
    expect(medium.length).toBeGreaterThan(0);
    expect(medium.length).toBeLessThan(all);
    expect(ofPrincipal).toBe(active.filter((f) => JSON.stringify(f).includes(principal ?? '?')).length);
    expect(ofPrincipal).toBeLessThan(all);
    expect(everything).toBe(result.findings.length);
    expect(await visibleCount(page)).toBe(0);
    expect(await page.locator('#no-match').isVisible()).toBe(true);
    expect(await page.locator('#shown').textContent()).toBe(`Showing 0 of ${result.findings.length}`);
    await page.close();
  });

  it('keeps hostile values as text under its CSP, and loads nothing from the network', async () => {
    // Prepare
    const { page, problems } = await open(hostileUrl);

    // Act
    // Run in the page, where the DOM is (this project's TypeScript has no DOM library).
    const pwned = await page.evaluate('window.__pwned');
    const handlers = await page.evaluate(
      "[...document.querySelectorAll('*')].filter((el) => [...el.attributes].some((a) => a.name.startsWith('on'))).length",
    );
    const title = await page.locator('#findings .title').allTextContents();
    await page.fill('input[name=q]', 'mallory');
    const filtered = await visibleCount(page);
    const html = await readFile(new URL(hostileUrl), 'utf8');

    // Assess
    expect(pwned).toBeUndefined();
    expect(handlers).toBe(0);
    expect(await page.locator('script').count()).toBe(1);
    expect(await page.locator('img').count()).toBe(0);
    expect(title.join('\n')).toContain(`${HOSTILE.scriptClose} ${HOSTILE.tag}`);
    expect(await page.locator('.ctl').first().textContent()).toBe('\\u200b');
    expect(filtered).toBe(1);
    expect(html).toContain('http-equiv="Content-Security-Policy"');
    expect(problems).toEqual([]);
    expect(offPage).toEqual([]);
    await page.close();
  });
});

describe("the audit command's HTML report in headless Chromium", () => {
  it('shows the counts of every session audited, one chart of them, and filters by severity', async () => {
    // Prepare
    const { findings } = audited;
    const status = (s: string): number => findings.filter((f) => f.Compliance.Status === s).length;
    const high = findings.filter((f) => f.Severity.Label === 'HIGH').length;
    const { page, problems } = await open(auditUrl);

    // Act
    const tile = (key: string) => page.locator(`#count-${key}`).textContent();
    const bars = await page
      .locator('#outcome-chart rect.bar')
      .evaluateAll((rects) => rects.map((rect) => Number(rect.getAttribute('data-count'))));
    await page.selectOption('select[name=severity]', 'HIGH');
    const shownHigh = await visibleCount(page);

    // Assess
    expect(findings.length).toBe(41);
    expect(await tile('total')).toBe(String(findings.length));
    expect(await tile('failed')).toBe(String(status('FAILED')));
    expect(await tile('passed')).toBe(String(status('PASSED')));
    expect(await page.locator('svg.chart').count()).toBe(1);
    expect(bars.reduce((a, b) => a + b, 0)).toBe(findings.length);
    expect(await page.locator('#evaluations').textContent()).toContain('41 event(s) evaluated');
    expect(shownHigh).toBe(high);
    expect(shownHigh).toBeGreaterThan(0);
    expect(problems).toEqual([]);
    expect(offPage).toEqual([]);
    await page.close();
  });
});
