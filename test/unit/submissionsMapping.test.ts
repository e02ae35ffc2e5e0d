// Where a phpcs finding lives in the workspace (src/submissions/pathMapping.ts): the reviewer's path mapped onto a
// folder whose composer.json names the package, by the longest suffix that exists there, looked up once per file.
import * as assert from 'node:assert/strict';
import type { PhpcsFinding } from '../../src/eqp/submissions';
import { candidateSuffixes, joinRoot, linesMayHaveMoved, mapFindings } from '../../src/submissions/pathMapping';
import { planDiagnostics } from '../../src/submissions/diagnosticsPlan';

const PKG = 'acme/module-example';
const BASE = '/eqp-automation/temp/acme/module-example/acme-module-example-1.0.1';
const MODULE_FILES = ['composer.json', 'registration.php', 'etc/module.xml', 'Model/Greeting.php', 'Controller/Index/Index.php', 'view/frontend/templates/greeting.phtml'];

function finding(file: string, extra: Partial<PhpcsFinding> = {}): PhpcsFinding {
  return { file, message: 'Missing doc comment', type: 'ERROR', source: 'Magento2.Annotation.MethodArguments', line: 3, column: 5, phpVersion: '8.3', ...extra };
}

/** An `exists` over a set of absolute paths that counts its calls. */
function fakeFs(paths: string[]): { exists: (p: string) => Promise<boolean>; calls: string[] } {
  const set = new Set(paths);
  const calls: string[] = [];
  return {
    calls,
    exists: async (p) => {
      calls.push(p);
      await Promise.resolve();
      return set.has(p);
    },
  };
}

describe('submissions: reviewer paths to workspace files', () => {
  it('tries what follows the package directory, longest first, and a bare name only when it is all there is', () => {
    assert.deepEqual(candidateSuffixes(`${BASE}/Controller/Index/Index.php`, PKG), ['Controller/Index/Index.php', 'Index/Index.php']);
    assert.deepEqual(candidateSuffixes(`${BASE}/registration.php`, PKG), ['registration.php']);
    assert.deepEqual(candidateSuffixes(`${BASE}/Test/Unit/registration.php`, PKG), ['Test/Unit/registration.php', 'Unit/registration.php']);
    assert.deepEqual(candidateSuffixes('registration.php', PKG), ['registration.php']);
    assert.deepEqual(candidateSuffixes('./Model/Greeting.php', PKG), ['Model/Greeting.php']);
  });

  it('reads Windows paths, drive letters and a layout without the versioned directory', () => {
    assert.deepEqual(candidateSuffixes('C:\\eqp\\temp\\acme\\module-example\\acme-module-example-1.0.1\\Model\\Greeting.php', PKG), ['Model/Greeting.php']);
    assert.deepEqual(candidateSuffixes('D:/work/acme/module-example/etc/module.xml', PKG), ['etc/module.xml']);
    assert.deepEqual(candidateSuffixes('/other/place/src/Model/Greeting.php', PKG), ['other/place/src/Model/Greeting.php', 'place/src/Model/Greeting.php', 'src/Model/Greeting.php', 'Model/Greeting.php']);
  });

  it('never climbs out of a root: only what follows the last `..` is tried, and control characters try nothing', () => {
    assert.deepEqual(candidateSuffixes(`${BASE}/../../../../etc/passwd`, PKG), ['etc/passwd']);
    assert.deepEqual(candidateSuffixes('..\\..\\secret.txt', PKG), ['secret.txt']);
    assert.deepEqual(candidateSuffixes(`${BASE}/Model/A\u0000.php`, PKG), []);
    for (const c of candidateSuffixes(`${BASE}/a/../../b/./c.php`, PKG)) assert.ok(!c.split('/').includes('..'), c);
  });

  it('maps the seeded findings onto the module, leaves a file the module lacks unmatched, and returns the roots used', async () => {
    const fs = fakeFs(MODULE_FILES.map((f) => `/ws/module/${f}`));
    const findings = [
      finding(`${BASE}/Model/Greeting.php`),
      finding(`${BASE}/registration.php`),
      finding(`${BASE}/view/frontend/templates/greeting.phtml`, { type: 'WARNING' }),
      finding(`${BASE}/Test/Unit/GreetingTest.php`),
      finding(`${BASE}/Test/Unit/registration.php`),
    ];
    const roots = [{ root: '/ws/other' }, { root: '/ws/module', version: '1.0.1' }];
    const r = await mapFindings(findings, { packageName: PKG, roots, exists: fs.exists });
    assert.deepEqual(
      r.mapped.map((m) => [m.file, m.root, m.relativePath]),
      [
        ['/ws/module/Model/Greeting.php', '/ws/module', 'Model/Greeting.php'],
        ['/ws/module/registration.php', '/ws/module', 'registration.php'],
        ['/ws/module/view/frontend/templates/greeting.phtml', '/ws/module', 'view/frontend/templates/greeting.phtml'],
      ],
    );
    assert.deepEqual(r.unmatched.map((f) => f.file), [`${BASE}/Test/Unit/GreetingTest.php`, `${BASE}/Test/Unit/registration.php`]);
    assert.deepEqual(r.rootsUsed, [roots[1]]);
    assert.equal(r.mapped[0]?.finding, findings[0], 'the finding itself, not a copy');
  });

  it('the longest existing suffix wins, across roots; a zip with a top folder still maps', async () => {
    const fs = fakeFs(['/a/Model/Greeting.php', '/b/Index/Index.php', '/b/Controller/Index/Index.php']);
    const r = await mapFindings([finding(`${BASE}/module-example/Model/Greeting.php`), finding(`${BASE}/Controller/Index/Index.php`)], {
      packageName: PKG,
      roots: [{ root: '/a' }, { root: '/b' }],
      exists: fs.exists,
    });
    assert.deepEqual(r.mapped.map((m) => m.file), ['/a/Model/Greeting.php', '/b/Controller/Index/Index.php']);
  });

  it('a file list instead of `exists`, and Windows roots keep their separators', async () => {
    const r = await mapFindings([finding(`${BASE}/Model/Greeting.php`), finding(`${BASE}/Nope.php`)], {
      packageName: PKG,
      roots: [{ root: 'C:\\ws\\module\\', files: MODULE_FILES }],
    });
    assert.deepEqual(r.mapped.map((m) => m.file), ['C:\\ws\\module\\Model\\Greeting.php']);
    assert.equal(r.unmatched.length, 1);
    assert.equal(joinRoot('/ws/m/', 'a/b.php'), '/ws/m/a/b.php');
  });

  it('no root: everything unmatched, nothing looked up; an `exists` that throws counts as "no"', async () => {
    const fs = fakeFs([]);
    const none = await mapFindings([finding(`${BASE}/Model/Greeting.php`)], { packageName: PKG, roots: [], exists: fs.exists });
    assert.equal(none.unmatched.length, 1);
    assert.equal(fs.calls.length, 0);
    const throwing = await mapFindings([finding(`${BASE}/Model/Greeting.php`)], {
      packageName: PKG,
      roots: [{ root: '/ws' }],
      exists: () => {
        throw new Error('EACCES');
      },
    });
    assert.equal(throwing.unmatched.length, 1);
  });

  it('10,000 findings over 300 distinct files: every finding placed right, each file checked at most once', async () => {
    const files: string[] = [];
    for (let i = 0; i < 300; i++) files.push(i % 3 === 0 ? `Model/Part${i}/Thing${i}.php` : `view/frontend/templates/t${i}.phtml`);
    const present = files.filter((_, i) => i % 10 !== 0); // 30 files the workspace lacks
    const fs = fakeFs(present.map((f) => `/ws/module/${f}`));
    let running = 0;
    let most = 0;
    const exists = async (p: string): Promise<boolean> => {
      running++;
      most = Math.max(most, running);
      try {
        return await fs.exists(p);
      } finally {
        running--;
      }
    };
    const findings: PhpcsFinding[] = [];
    for (let i = 0; i < 10_000; i++) {
      const f = files[i % files.length] as string;
      findings.push(finding(`${BASE}/${f}`, { line: (i % 50) + 1, column: 1, phpVersion: i % 2 ? '8.2' : '8.3', message: `m${Math.floor(i / 600)}` }));
    }
    const r = await mapFindings(findings, { packageName: PKG, roots: [{ root: '/ws/module' }], exists, concurrency: 4 });
    const missing = new Set(files.filter((_, i) => i % 10 === 0).map((f) => `${BASE}/${f}`));
    assert.equal(r.unmatched.length, findings.filter((f) => missing.has(f.file)).length);
    assert.ok(r.unmatched.every((f) => missing.has(f.file)));
    assert.equal(r.mapped.length + r.unmatched.length, 10_000);
    for (const m of r.mapped) assert.equal(m.file, m.finding.file.replace(BASE, '/ws/module'));
    assert.equal(new Set(fs.calls).size, fs.calls.length, 'no path checked twice');
    assert.ok(fs.calls.length <= 300 * 4, `${fs.calls.length} checks`);
    assert.ok(most <= 4, `at most 4 checks at once, saw ${most}`);

    const plan = planDiagnostics(r.mapped);
    let planned = 0;
    for (const list of plan.byFile.values()) planned += list.length;
    assert.equal(planned, plan.total);
    assert.equal(plan.findings, r.mapped.length);
    // The same (file, line, column, sniff, message) on 8.2 and 8.3 is one problem listing both versions.
    const distinct = new Set(r.mapped.map((m) => JSON.stringify([m.file, m.finding.line, m.finding.message])));
    assert.equal(plan.total, distinct.size);
    for (const list of plan.byFile.values()) for (const d of list) assert.ok(d.phpVersions.length >= 1 && d.phpVersions.length <= 2);
  });

  describe('"lines may have moved"', () => {
    it('nothing to say when the workspace has the submitted version (a leading v ignored)', () => {
      assert.equal(linesMayHaveMoved('1.0.1', [{ root: '/ws', version: '1.0.1' }]), undefined);
      assert.equal(linesMayHaveMoved('1.0.1', [{ root: '/ws', version: 'v1.0.1' }]), undefined);
      assert.equal(linesMayHaveMoved('1.0.1', []), undefined);
    });
    it('says so for another version, for no version, and for a report without a version', () => {
      assert.equal(
        linesMayHaveMoved('1.0.1', [{ root: '/ws', version: '1.0.2' }]),
        "The report is for version 1.0.1 and the workspace's composer.json says 1.0.2: the files may have changed since, so lines may have moved.",
      );
      assert.match(linesMayHaveMoved('1.0.1', [{ root: '/ws' }]) ?? '', /composer\.json has no version: .*lines may have moved\.$/);
      assert.match(linesMayHaveMoved(undefined, [{ root: '/ws', version: '1.0.1' }]) ?? '', /^The report does not say which version/);
      assert.match(linesMayHaveMoved('1.0.1', [{ root: '/a', version: '1.0.1' }, { root: '/b' }]) ?? '', /another composer\.json has no version|composer\.json has no version/);
    });
  });
});
