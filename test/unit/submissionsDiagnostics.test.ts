// The Problems panel plan for a phpcs report (src/submissions/diagnosticsPlan.ts): 0-based positions, severities,
// and one problem for a finding that repeats on several PHP versions.
import * as assert from 'node:assert/strict';
import type { PhpcsFinding } from '../../src/eqp/submissions';
import { compareVersions, phpVersionsNote, planDiagnostics, planDiagnosticsByReviewerPath, severityOf } from '../../src/submissions/diagnosticsPlan';

function f(extra: Partial<PhpcsFinding>): PhpcsFinding {
  return { file: '/r/A.php', message: 'Bad', type: 'ERROR', source: 'Magento2.X.Y', line: 10, column: 4, phpVersion: '8.3', ...extra };
}

describe('submissions: Problems panel plan', () => {
  it('1-based in, 0-based out; a missing or nonsense line or column is 0', () => {
    const plan = planDiagnosticsByReviewerPath([f({}), f({ line: undefined, column: undefined, message: 'b' }), f({ line: 0, column: -3, message: 'c' }), f({ line: Number.NaN, message: 'd' })]);
    const list = plan.byFile.get('/r/A.php') ?? [];
    assert.deepEqual(list.map((d) => [d.line0, d.column0]), [[9, 3], [0, 0], [0, 0], [0, 3]]);
    assert.equal(list[0]?.endColumn0, undefined);
    assert.equal(list[0]?.code, 'Magento2.X.Y');
  });

  it('ERROR → error, WARNING → warning, anything else → info', () => {
    assert.equal(severityOf('ERROR'), 'error');
    assert.equal(severityOf('warning'), 'warning');
    assert.equal(severityOf('NOTICE'), 'info');
    assert.equal(severityOf(undefined), 'info');
  });

  it('the same finding on three PHP versions is one problem listing them in version order', () => {
    const plan = planDiagnosticsByReviewerPath([f({ phpVersion: '8.3' }), f({ phpVersion: '7.4' }), f({ phpVersion: '8.10' }), f({ phpVersion: '8.3' }), f({ phpVersion: '8.2', type: 'WARNING' })]);
    assert.equal(plan.total, 1);
    assert.equal(plan.findings, 5);
    const d = plan.byFile.get('/r/A.php')?.[0];
    assert.deepEqual(d?.phpVersions, ['7.4', '8.2', '8.3', '8.10']);
    assert.equal(d?.severity, 'error', 'the most severe of the repeats');
  });

  it('another line, column, sniff, message or file is another problem; order is first found', () => {
    const plan = planDiagnosticsByReviewerPath([f({}), f({ line: 11 }), f({ column: 5 }), f({ source: 'Other' }), f({ message: 'Other' }), f({ file: '/r/B.php' }), f({ source: undefined })]);
    assert.equal(plan.total, 7);
    assert.deepEqual([...plan.byFile.keys()], ['/r/A.php', '/r/B.php']);
    assert.equal(plan.byFile.get('/r/A.php')?.[5]?.code, undefined);
  });

  it('keys on the file it is shown on, so two reviewer paths mapped to one file merge', () => {
    const plan = planDiagnostics([
      { finding: f({ file: '/x/acme-module-example-1.0.1/A.php' }), file: '/ws/A.php' },
      { finding: f({ file: 'C:\\x\\acme-module-example-1.0.1\\A.php', phpVersion: '8.2' }), file: '/ws/A.php' },
    ]);
    assert.equal(plan.total, 1);
    assert.deepEqual(plan.byFile.get('/ws/A.php')?.[0]?.phpVersions, ['8.2', '8.3']);
  });

  it('messages are kept as the server wrote them (the view shows Problems as plain text)', () => {
    const hostile = '[x](command:eqp.keys.delete) <img src=x> ``` $(zap)';
    const plan = planDiagnosticsByReviewerPath([f({ message: hostile })]);
    assert.equal(plan.byFile.get('/r/A.php')?.[0]?.message, hostile);
  });

  it('version order and the PHP note', () => {
    assert.ok(compareVersions('7.4', '8.1') < 0);
    assert.ok(compareVersions('8.10', '8.9') > 0);
    assert.ok(compareVersions('8.1', '8.1.0') < 0);
    assert.equal(compareVersions('8.2', '8.2'), 0);
    assert.equal(phpVersionsNote(['8.2', '8.3'], ['8.2', '8.3']), undefined);
    assert.equal(phpVersionsNote(['8.3'], ['8.2', '8.3']), 'PHP 8.3 only');
    assert.equal(phpVersionsNote(['8.2', '8.3'], ['8.1', '8.2', '8.3']), 'PHP 8.2, 8.3');
    assert.equal(phpVersionsNote(['8.3'], ['8.3']), undefined);
    assert.equal(phpVersionsNote([], ['8.3', '8.2']), undefined);
  });
});
