import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseStartSessionEvent } from '../../../src/events/startSession.ts';
import { benchOptions, runPass } from '../../../src/local/tools/bench.ts';
import { type BurstFigures, quotaBound } from '../../../src/local/tools/benchBurst.ts';
import {
  BENCH_START,
  createRng,
  DEFAULT_USER,
  PREFERENCES_DOCUMENT,
} from '../../../src/local/tools/benchRecords.ts';
import { type BenchReport, formatReport } from '../../../src/local/tools/benchReport.ts';
import { generateScenario, mappedUserOf } from '../../../src/local/tools/benchScenario.ts';
import {
  BenchError,
  burstTargets,
  type CallSample,
  callsBetween,
  compareRuns,
  compulsoryCallsPerEvent,
  compulsorySteadyStateReads,
  evaluateTargets,
  type FunctionFigures,
  median,
  percentile,
  type RunRatio,
  type RunSummary,
  summarizeRun,
} from '../../../src/local/tools/benchStats.ts';
import { UsageError } from '../../../src/local/tools/inputError.ts';
import type { HandlerModule } from '../../../src/local/tools/lambdaContainers.ts';
import { tableSpecsOf } from '../../../src/local/tools/tableSpec.ts';
import { loadTemplate } from '../../../src/local/tools/template.ts';

const DEFAULT = { events: 2000, principals: 50, nodes: 200, documents: 3 };

describe('benchmark scenario', () => {
  const scenario = generateScenario(DEFAULT);

  it('is deterministic for a seed and changes with it', () => {
    // Prepare / Act
    const again = generateScenario(DEFAULT);
    const other = generateScenario({ ...DEFAULT, seed: 7 });

    // Assess
    expect(JSON.stringify(again.events)).toBe(JSON.stringify(scenario.events));
    expect(JSON.stringify(other.events)).not.toBe(JSON.stringify(scenario.events));
  });

  it('builds a valid world of the requested size', () => {
    // Assess: generateScenario validated it with parseWorld; the sizes are what was asked.
    const region = scenario.world.regions['us-east-1'];
    const roles = scenario.principals.filter((p) => p.kind === 'role');
    expect(scenario.world.accountId).toBe('111122223333');
    expect(scenario.world.iam.users.length + scenario.world.iam.roles.length).toBe(50);
    expect(region?.nodes).toHaveLength(200);
    expect(
      region?.nodes.every((n) => n.platform === 'Linux' && n.users?.some((u) => u.name === DEFAULT_USER)),
    ).toBe(true);
    expect(region?.documents.map((d) => d.name)).toEqual([
      PREFERENCES_DOCUMENT,
      'BenchShell-1',
      'BenchShell-2',
    ]);
    expect(region?.cloudTrail).toHaveLength(roles.length);
    expect(scenario.events).toHaveLength(2000);
  });

  it('mixes users and roles, mostly tagged, some untagged, some with session tags', () => {
    // Prepare
    const roles = scenario.principals.filter((p) => p.kind === 'role');
    const untagged = scenario.principals.filter((p) => p.runAsTag === undefined);

    // Assess
    expect(roles.length).toBeGreaterThan(10);
    expect(roles.length).toBeLessThan(40);
    expect(untagged.length).toBeGreaterThan(0);
    expect(untagged.length).toBeLessThan(scenario.principals.length / 4);
    expect(roles.some((p) => p.sessionTag !== undefined)).toBe(true);
  });

  it('puts each mapped user on most nodes and leaves it off a few', () => {
    // Prepare
    const nodes = scenario.world.regions['us-east-1']?.nodes ?? [];
    const mapped = scenario.principals.flatMap((p) => mappedUserOf(p) ?? []);

    // Act
    const shares = mapped.map(
      (user) => nodes.filter((n) => n.users?.some((u) => u.name === user)).length / nodes.length,
    );

    // Assess
    expect(Math.min(...shares)).toBeGreaterThan(0.85);
    expect(shares.some((share) => share < 1)).toBe(true);
  });

  it('records an AssumeRole issuing the access key each role session uses', () => {
    // Prepare
    const records = scenario.world.regions['us-east-1']?.cloudTrail ?? [];

    // Act / Assess
    for (const role of scenario.principals.filter((p) => p.kind === 'role')) {
      const record = records.find(
        (r) => (r.requestParameters as { roleArn?: string } | undefined)?.roleArn === role.arn,
      );
      const response = record?.responseElements as { credentials?: { accessKeyId?: string } } | undefined;
      const credentials = response?.credentials;
      expect(record?.eventName).toBe('AssumeRole');
      expect(credentials?.accessKeyId).toBe(role.accessKeyId);
    }
  });

  it('generates StartSession events the intake accepts, in increasing time, over every principal and document', () => {
    // Act
    const commands = scenario.events.map(({ event }) => {
      const intake = parseStartSessionEvent(event);
      if (!intake.inScope) throw new Error(intake.reason);
      return intake.command;
    });

    // Assess
    const times = commands.map((c) => Date.parse(c.eventTime));
    expect(times.every((t, i) => i === 0 || t > (times[i - 1] ?? Number.POSITIVE_INFINITY))).toBe(true);
    expect(times[0]).toBeGreaterThan(Date.parse(BENCH_START));
    expect(new Set(commands.map((c) => c.principal.arn)).size).toBe(50);
    expect(new Set(commands.map((c) => c.documentName))).toEqual(
      new Set([PREFERENCES_DOCUMENT, 'BenchShell-1', 'BenchShell-2']),
    );
    expect(new Set(commands.map((c) => c.target)).size).toBeGreaterThan(190);
    const roleKeys = commands.filter((c) => c.principal.kind === 'role').map((c) => c.principal.accessKeyId);
    expect(new Set(roleKeys).size).toBe(scenario.principals.filter((p) => p.kind === 'role').length);
  });

  it('expects MISSING_RUN_AS_USER exactly where the node lacks the resolved user', () => {
    // Prepare
    const nodes = scenario.world.regions['us-east-1']?.nodes ?? [];

    // Act
    const wrong = scenario.events.filter(
      (e) =>
        (nodes[e.node]?.users?.some((u) => u.name === e.expectedUser) ?? false) !==
        (e.expectedOutcome === 'COMPLIANT'),
    );
    const missing = scenario.events.filter((e) => e.expectedOutcome === 'MISSING_RUN_AS_USER').length;

    // Assess
    expect(wrong).toEqual([]);
    expect(missing).toBeGreaterThan(0);
    expect(missing).toBeLessThan(scenario.events.length * 0.15);
  });

  it.each([
    [{ ...DEFAULT, events: 0 }],
    [{ ...DEFAULT, principals: -1 }],
    [{ ...DEFAULT, nodes: 1.5 }],
    [{ ...DEFAULT, documents: 0 }],
  ])('rejects %o', (options) => {
    // Act / Assess
    expect(() => generateScenario(options)).toThrow(RangeError);
  });

  it('draws numbers in [0, 1) from a seeded generator', () => {
    // Act
    const a = Array.from({ length: 1000 }, createRng(1));
    const b = Array.from({ length: 1000 }, createRng(1));

    // Assess
    expect(a).toEqual(b);
    expect(a.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(a.reduce((s, x) => s + x, 0) / a.length).toBeCloseTo(0.5, 1);
  });
});

describe('benchmark statistics', () => {
  it.each([
    [[5, 1, 3, 2, 4], 50, 3],
    [[5, 1, 3, 2, 4], 95, 5],
    [[5, 1, 3, 2, 4], 0, 1],
    [Array.from({ length: 100 }, (_, i) => i + 1), 95, 95],
    [Array.from({ length: 100 }, (_, i) => i + 1), 50, 50],
    [[42], 95, 42],
  ])('percentile(%j, %d) = %d (nearest rank)', (values, p, expected) => {
    expect(percentile(values, p)).toBe(expected);
  });

  it.each([
    [[3, 1, 2], 2],
    [[4, 1, 3, 2], 2.5],
  ])('median(%j) = %d', (values, expected) => {
    expect(median(values)).toBe(expected);
  });

  it('counts the calls between two snapshots', () => {
    // Act
    const delta = callsBetween(
      { 'ssm:GetDocument': 2, 'iam:ListUserTags': 1 },
      {
        'ssm:GetDocument': 3,
        'iam:ListUserTags': 1,
        'securityhub:BatchImportFindings': 1,
      },
    );

    // Assess
    expect(delta).toEqual({ 'ssm:GetDocument': 1, 'securityhub:BatchImportFindings': 1 });
  });

  it('splits reads from BatchImportFindings and leaves the first 10% out of the steady state', () => {
    // Prepare: 10 events; the first (warm-up) reads 5 times, the second once, the rest never.
    const write = { 'securityhub:BatchImportFindings': 1 };
    const samples: CallSample[] = [
      { latencyMs: 100, calls: { ...write, 'ssm:GetDocument': 2, 'ssm:DescribeInstanceInformation': 3 } },
      { latencyMs: 40, calls: { ...write, 'ssm:DescribeInstanceInformation': 1 } },
      ...Array.from({ length: 8 }, (_, i) => ({ latencyMs: 20 + i, calls: write })),
    ];

    // Act
    const summary = summarizeRun(samples, 2000);

    // Assess
    expect(summary.events).toBe(10);
    expect(summary.eventsPerSecond).toBe(5);
    expect(summary.callsPerEvent).toEqual({
      'securityhub:BatchImportFindings': 1,
      'ssm:DescribeInstanceInformation': 0.4,
      'ssm:GetDocument': 0.2,
    });
    expect(summary.readCallsPerEvent).toBeCloseTo(0.6);
    expect(summary.writeCallsPerEvent).toBe(1);
    expect(summary.totalCallsPerEvent).toBeCloseTo(1.6);
    expect(summary.warmupEvents).toBe(1);
    expect(summary.steadyStateReadCallsPerEvent).toBeCloseTo(1 / 9);
    expect(summary.latencyMs).toEqual({ p50: 24, p95: 100, max: 100 });
  });

  it('refuses an empty run', () => {
    expect(() => summarizeRun([], 1)).toThrow(BenchError);
  });

  const run = (over: Partial<RunSummary>): RunSummary => ({
    events: 100,
    wallSeconds: 10,
    eventsPerSecond: 10,
    latencyMs: { p50: 20, p95: 40, max: 50 },
    callsPerEvent: {},
    readCallsPerEvent: 0.5,
    writeCallsPerEvent: 1,
    totalCallsPerEvent: 1.5,
    warmupEvents: 10,
    steadyStateReadCallsPerEvent: 0.08,
    ...over,
  });

  it('compares uncached with cached, with no ratio against a zero', () => {
    // Act
    const ratio = compareRuns(
      run({ steadyStateReadCallsPerEvent: 0 }),
      run({
        totalCallsPerEvent: 6,
        readCallsPerEvent: 5,
        eventsPerSecond: 5,
        latencyMs: { p50: 60, p95: 80, max: 90 },
      }),
    );

    // Assess
    expect(ratio).toEqual({
      totalCallsPerEvent: 4,
      readCallsPerEvent: 10,
      steadyStateReadCallsPerEvent: null,
      eventsPerSecond: 0.5,
      p50LatencyMs: 3,
      p95LatencyMs: 2,
    });
  });

  const fn = (over: Partial<FunctionFigures>): FunctionFigures => ({
    logicalId: 'AuditSessionFunction',
    bundleBytes: 600_000,
    importMsBundled: 100,
    importMsUnbundled: 250,
    ...over,
  });

  it.each([
    ['all met', run({}), 4, fn({}), [true, true, true, true]],
    [
      'too many steady-state reads',
      run({ steadyStateReadCallsPerEvent: 0.11 }),
      4,
      fn({}),
      [false, true, true, true],
    ],
    ['too small a reduction', run({}), 2.9, fn({}), [true, false, true, true]],
    ['bundle too big', run({}), 4, fn({ bundleBytes: 1_000_001 }), [true, true, false, true]],
    ['import not twice as fast', run({}), 4, fn({ importMsBundled: 126 }), [true, true, true, false]],
  ])('targets: %s', (_name, cached, reduction, figures, expected) => {
    // Prepare
    const ratio = compareRuns(cached, run({ totalCallsPerEvent: cached.totalCallsPerEvent * reduction }));

    // Act
    const targets = evaluateTargets(cached, ratio, [figures]);

    // Assess
    expect(targets.map((t) => t.ok)).toEqual(expected);
    expect(targets[3]?.limit).toBe(125);
  });

  it('prints MISSED for a missed target and the ratios side by side', () => {
    // Prepare
    const cached = run({ callsPerEvent: { 'ssm:GetDocument': 0.01, 'securityhub:BatchImportFindings': 1 } });
    const uncached = run({
      callsPerEvent: { 'ssm:GetDocument': 1, 'securityhub:BatchImportFindings': 1 },
      totalCallsPerEvent: 2,
    });
    const ratio = compareRuns(cached, uncached);
    const identity = {
      stsRecordsDelivered: 2,
      roleSessionEvents: 40,
      lookupEventsPerRoleSession: 0,
      tableReadsPerSession: 0.07,
    };
    const extra = { outcomes: { COMPLIANT: 100 }, unexpectedOutcomes: 0, findingsStored: 100, identity };

    // Act
    const report: BenchReport = {
      scenario: {
        accountId: '111122223333',
        region: 'us-east-1',
        seed: 1,
        events: 100,
        uncachedEvents: 100,
        principals: { total: 5, users: 3, roles: 2 },
        untaggedPrincipals: 1,
        sessionTaggedRoles: 1,
        nodes: 10,
        documents: [PREFERENCES_DOCUMENT],
        latencyMsPerCall: 20,
        cacheTtlSeconds: { cached: 60, uncached: 0 },
        reportCompliantSessions: true,
        handler: 'AuditSessionFunction (auditSession.handler)',
        notes: [],
      },
      cached: { ...cached, ...extra },
      uncached: { ...uncached, ...extra },
      ratio,
      functions: [fn({})],
      targets: evaluateTargets(cached, ratio, [fn({})]),
      node: 'v22.0.0',
      date: '2026-01-01T00:00:00.000Z',
    };
    const text = formatReport(report);
    // The same run when even a perfect cache could save no more than 1.5x on its events.
    const unreachable = formatReport({ ...report, targets: evaluateTargets(cached, ratio, [fn({})], 1.5) });

    // Assess
    expect(text).toMatch(/ssm:GetDocument\s+0\.010\s+1\.000\s+100\.0/);
    expect(text).toMatch(/MISSED\s+all calls per event, uncached \/ cached >= limit: 1\.333 \(limit 3\)/);
    expect(text).toContain('1 target(s) MISSED');
    expect(unreachable).toMatch(
      /n\/a\s+all calls per event, uncached \/ cached >= limit: 1\.333 \(limit 3\)/,
    );
    expect(unreachable).toContain('not applicable: even a perfect cache saves at most 1.50x on this run');
    expect(unreachable).toContain('all targets met (1 not applicable to this run)');
    expect(unreachable).not.toContain('MISSED');
  });
});

describe('benchmark options', () => {
  it('defaults to the issue scenario', () => {
    // Act
    const options = benchOptions({});

    // Assess
    expect(options).toMatchObject({
      events: 2000,
      principals: 50,
      nodes: 200,
      documents: 3,
      latencyMs: 20,
      burstEvents: 2000,
      burstSeconds: 10,
      auditEvents: 3000,
      trailRecords: 100_000,
      sweepSessions: 600,
    });
    expect(path.basename(options.out)).toBe('bench-results.json');
  });

  it('reads every flag', () => {
    // Act
    const options = benchOptions({
      events: '10',
      principals: '4',
      nodes: '3',
      documents: '2',
      'latency-ms': '0',
      'burst-events': '0',
      'burst-seconds': '5',
      'audit-events': '0',
      'trail-records': '2000',
      'sweep-sessions': '60',
      out: 'x.json',
    });

    // Assess
    expect(options).toEqual({
      events: 10,
      principals: 4,
      nodes: 3,
      documents: 2,
      latencyMs: 0,
      burstEvents: 0,
      burstSeconds: 5,
      auditEvents: 0,
      trailRecords: 2000,
      sweepSessions: 60,
      out: path.resolve('x.json'),
    });
  });

  it.each([
    [{ events: '0' }, '--events'],
    [{ nodes: 'many' }, '--nodes'],
    [{ 'latency-ms': '-1' }, '--latency-ms'],
    [{ documents: '2.5' }, '--documents'],
    [{ 'burst-seconds': '0' }, '--burst-seconds'],
    [{ 'sweep-sessions': '-5' }, '--sweep-sessions'],
  ])('rejects %j, naming the flag', (flags, flag) => {
    expect(() => benchOptions(flags)).toThrow(UsageError);
    expect(() => benchOptions(flags)).toThrow(flag);
  });
});

describe('benchmark pass through the real handler (counts, not time)', () => {
  it('audits every event as the scenario intends, and the caches save the repeated reads', async () => {
    // Prepare: no added latency; a small account so every cache entry is reused.
    process.env.AWS_REGION ??= 'us-east-1';
    process.env.POWERTOOLS_LOG_LEVEL = 'SILENT';
    const module = (await import('../../../handlers/auditSession.ts')) as HandlerModule;
    const scenario = generateScenario({ events: 30, principals: 6, nodes: 4, documents: 2 });
    const template = await loadTemplate(path.join(import.meta.dirname, '../../../template.yaml'));
    const pass = {
      scenario,
      events: scenario.events,
      module,
      functionName: 'AuditSessionFunction',
      env: { STATE_TABLE_NAME: 'StateTable' },
      tables: tableSpecsOf(template),
    };
    const touched = <T>(f: (e: (typeof scenario.events)[number]) => T) =>
      new Set(scenario.events.map(f)).size;
    const roleEvents = scenario.events.filter((e) => scenario.principals[e.principal]?.kind === 'role');

    // Act
    const cached = await runPass({ ...pass, cacheTtlSeconds: 60, latencyMs: 0 });
    const uncached = await runPass({ ...pass, cacheTtlSeconds: 0, latencyMs: 0 });

    // Assess: each distinct node, principal (tags, and their history) and role session (its STS
    // record, in the table) is read once when cached, and for every event when not; a document at
    // both versions ($LATEST, judged, and $DEFAULT). No role session needs LookupEvents.
    const nodes = touched((e) => e.node);
    const principals = touched((e) => e.principal);
    const roleSessions = new Set(roleEvents.map((e) => e.principal)).size;
    const documents = touched((e) => e.document);
    expect(cached.unexpectedOutcomes).toBe(0);
    expect(uncached.unexpectedOutcomes).toBe(0);
    expect(cached.findingsStored).toBe(30);
    expect(cached.summary.readCallsPerEvent * 30).toBeCloseTo(
      2 * nodes + 2 * principals + roleSessions + 2 * documents,
    );
    expect(uncached.summary.readCallsPerEvent * 30).toBeCloseTo(6 * 30 + roleEvents.length);
    // Each session imports its finding and marks the ledger.
    expect(cached.summary.writeCallsPerEvent).toBe(2);
    expect(uncached.summary.writeCallsPerEvent).toBe(2);
    expect(cached.identity).toEqual({
      stsRecordsDelivered: scenario.principals.filter((p) => p.kind === 'role').length,
      roleSessionEvents: roleEvents.length,
      lookupEventsPerRoleSession: 0,
      tableReadsPerSession: (principals + roleSessions) / 30,
    });
    expect(uncached.identity.lookupEventsPerRoleSession).toBe(0);
    expect(uncached.identity.tableReadsPerSession).toBeCloseTo((30 + roleEvents.length) / 30);
    // Nothing expires in this short pass: the cache makes exactly the compulsory calls.
    expect(cached.summary.totalCallsPerEvent).toBeCloseTo(compulsoryCallsPerEvent(scenario, scenario.events));
  });
});

describe('the burst figures', () => {
  const burst = (over: Partial<BurstFigures>): BurstFigures => ({
    events: 2000,
    burstSeconds: 10,
    latencyMsPerCall: 20,
    batchSize: 100,
    windowSeconds: 5,
    maximumConcurrency: 2,
    visibilityTimeoutSeconds: 10,
    invocations: 20,
    findingsStored: 2000,
    importCalls: 20,
    findingsPerImportCall: 100,
    callsPerEvent: {},
    totalCallsPerEvent: 0.5,
    throttled: {},
    throttledCalls: 0,
    redeliveredEvents: 0,
    deadLetters: 0,
    unexpectedOutcomes: 0,
    drainSeconds: 40,
    quotaBoundSeconds: 38,
    boundBy: 'ssm:DescribeInstanceInformation',
    drainRatio: 40 / 38,
    ...over,
  });

  it.each([
    ['all met', burst({}), [true, true, true]],
    ['half-empty import calls', burst({ findingsPerImportCall: 49 }), [false, true, true]],
    ['a dead letter', burst({ deadLetters: 1 }), [true, false, true]],
    ['drained too slowly', burst({ drainRatio: 1.6 }), [true, true, false]],
  ])('targets: %s', (_name, figures, expected) => {
    // Act
    const targets = burstTargets(figures);

    // Assess
    expect(targets.map((t) => t.ok)).toEqual(expected);
  });

  it('bounds the drain by the slowest quota for the calls made, and by the burst itself', () => {
    // Act
    const bySsm = quotaBound(
      { 'ssm:DescribeInstanceInformation': 400, 'securityhub:BatchImportFindings': 20 },
      10,
    );
    const byLookups = quotaBound({ 'cloudtrail:LookupEvents': 42 }, 10);
    const byArrival = quotaBound({ 'securityhub:BatchImportFindings': 20 }, 10);

    // Assess
    expect(bySsm).toEqual({ seconds: 38, boundBy: 'ssm:DescribeInstanceInformation' });
    expect(byLookups).toEqual({ seconds: 20, boundBy: 'cloudtrail:LookupEvents' });
    expect(byArrival).toEqual({ seconds: 10, boundBy: 'the burst itself' });
  });
});

describe('the steady-state floor', () => {
  it('is what the default scenario reaches, and marks a run too short for it as not applicable', () => {
    // Prepare
    const scenario = generateScenario({ events: 2000, principals: 50, nodes: 200, documents: 3 });
    const small = generateScenario({ events: 100, principals: 50, nodes: 200, documents: 3 });
    const summary = { steadyStateReadCallsPerEvent: 1.9 } as RunSummary;
    const ratio = { totalCallsPerEvent: 4 } as RunRatio;

    // Act
    const floor = compulsorySteadyStateReads(scenario, scenario.events);
    const smallFloor = compulsorySteadyStateReads(small, small.events);
    const [target] = evaluateTargets(summary, ratio, [], Number.POSITIVE_INFINITY, smallFloor);

    // Assess
    expect(floor).toBeCloseTo(0.0883, 3);
    expect(smallFloor).toBeGreaterThan(0.1);
    expect(target).toMatchObject({
      ok: false,
      notApplicable: expect.stringContaining('even a perfect cache'),
    });
  });
});
