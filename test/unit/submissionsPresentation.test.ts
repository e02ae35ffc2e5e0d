// What the Submissions view says about a submission (src/submissions/presentation.ts): icon, a row short enough
// for a 300 px side bar, what the seller can do now, whether to keep polling, and the notification sentence.
import * as assert from 'node:assert/strict';
import type { Submission, SubmissionStatus } from '../../src/eqp/submissions';
import {
  STATUS_LABELS,
  actionsLine,
  availableActions,
  changeSentence,
  isInReview,
  statusLabel,
  submissionDescription,
  submissionIcon,
  submissionTitle,
  toolLabel,
  toolRunStatusView,
} from '../../src/submissions/presentation';

function sub(version: string, status: SubmissionStatus, actions: Record<string, string[]> = {}, extra: Partial<Submission> = {}): Submission {
  return { submissionId: '0a1b2c3d4e', sku: 'acme/module-example', name: 'Example Module', version, status, actionsNowAvailable: actions, ...extra };
}

/** The seeded submissions (contract12.md). */
const SEED = {
  released: sub('1.0.0', { overall: 'released_to_store', technical: 'approved', marketing: 'approved' }),
  rejected: sub('1.0.1', { overall: 'in_progress', technical: 'rejected', marketing: 'approved' }, { technical: ['submit'], overall: ['cancel'] }),
  automation: sub('1.0.2', { overall: 'in_progress', technical: 'in_automation', marketing: 'awaiting_marketing_review' }, { technical: ['recall'], marketing: ['recall'], overall: ['cancel'] }),
  draft: sub('1.1.0', { overall: 'draft', technical: 'draft', marketing: 'draft' }, { technical: ['submit'], marketing: ['submit'], overall: ['cancel'] }),
  approved: sub('2.0.0', { overall: 'approved', technical: 'approved', marketing: 'approved' }),
  manualQa: sub('2.1.0', { overall: 'in_progress', technical: 'awaiting_manual_qa', marketing: 'rejected' }),
  qaRejected: sub('2.0.1', { overall: 'in_progress', technical: 'rejected', marketing: 'approved' }),
};

describe('submissions: presentation', () => {
  it('icons for the seeded submissions', () => {
    assert.deepEqual(submissionIcon(SEED.released), { id: 'pass-filled', color: 'testing.iconPassed' });
    assert.deepEqual(submissionIcon(SEED.approved), { id: 'pass-filled', color: 'testing.iconPassed' });
    assert.deepEqual(submissionIcon(SEED.rejected), { id: 'error', color: 'testing.iconFailed' });
    assert.equal(submissionIcon(SEED.automation).id, 'loading~spin');
    assert.equal(submissionIcon(SEED.draft).id, 'edit');
    assert.equal(submissionIcon(SEED.manualQa).id, 'error', 'a rejection shows while the other review goes on');
    assert.equal(submissionIcon(sub('1', { overall: 'in_progress', technical: 'in_manual_qa', marketing: 'approved' })).id, 'eye');
    assert.equal(submissionIcon(sub('1', { overall: 'in_progress', technical: 'approved', marketing: 'in_marketing_review' })).id, 'eye');
    assert.equal(submissionIcon(sub('1', { overall: 'canceled_by_admin' })).id, 'circle-slash');
    assert.equal(submissionIcon(sub('1', { overall: 'developer_removed_from_store' })).id, 'circle-slash');
    assert.equal(submissionIcon(sub('1', { overall: 'something_new' })).id, 'question');
    assert.equal(submissionIcon(sub('1', {})).id, 'question');
  });

  it('row descriptions: version and the one status that matters, within 40 characters', () => {
    assert.equal(submissionDescription(SEED.released), '1.0.0 · released');
    assert.equal(submissionDescription(SEED.rejected), '1.0.1 · rejected (technical)');
    assert.equal(submissionDescription(SEED.automation), '1.0.2 · in automation');
    assert.equal(submissionDescription(SEED.draft), '1.1.0 · draft');
    assert.equal(submissionDescription(SEED.approved), '2.0.0 · approved');
    assert.equal(submissionDescription(SEED.manualQa), '2.1.0 · rejected (marketing)');
    assert.equal(submissionDescription(sub('3.0.0', { overall: 'in_progress', technical: 'rejected', marketing: 'rejected' })), '3.0.0 · rejected (technical, marketing)');
    assert.equal(submissionDescription(sub('3.0.0', { overall: 'in_progress', technical: 'approved', marketing: 'approved' })), '3.0.0 · approved, launch pending');
    assert.equal(submissionDescription(sub('3.0.0', { overall: 'in_progress', technical: 'approved', marketing: 'in_marketing_review' })), '3.0.0 · in marketing review');
    assert.equal(submissionDescription(sub('3.0.0', { overall: 'in_progress', technical: 'recalled', marketing: 'approved' })), '3.0.0 · recalled (technical)');
    assert.equal(submissionDescription(sub('3.0.0', { overall: 'canceled_by_developer' })), '3.0.0 · canceled by you');
    assert.equal(submissionDescription({ ...SEED.draft, version: undefined }), 'draft');
    for (const s of Object.values(SEED)) assert.ok(submissionDescription(s).length <= 40, submissionDescription(s));
    for (const part of ['overall', 'technical', 'marketing'] as const) {
      for (const value of Object.keys(STATUS_LABELS[part])) {
        const d = submissionDescription(sub('10.20.30', { overall: part === 'overall' ? value : 'in_progress', [part]: value }));
        assert.ok(d.length <= 40, `${part}=${value}: "${d}"`);
      }
    }
  });

  it('every documented status has a label; unknown ones show as they came, underscores as spaces', () => {
    const documented = {
      overall: ['draft', 'in_progress', 'approved', 'released_to_store', 'developer_removed_from_store', 'admin_removed_from_store', 'canceled_by_developer', 'canceled_by_admin'],
      technical: ['draft', 'in_automation', 'awaiting_manual_qa', 'in_manual_qa', 'approved', 'recalled', 'rejected'],
      marketing: ['draft', 'awaiting_marketing_review', 'in_marketing_review', 'approved', 'approved_with_modifications_pending', 'recalled', 'rejected'],
    } as const;
    for (const part of ['overall', 'technical', 'marketing'] as const) {
      for (const v of documented[part]) assert.ok(STATUS_LABELS[part][v], `${part} ${v}`);
      assert.equal(Object.keys(STATUS_LABELS[part]).length, documented[part].length);
    }
    assert.equal(statusLabel('technical', 'awaiting_manual_qa'), 'awaiting manual QA');
    assert.equal(statusLabel('technical', 'on_hold_for_legal'), 'on hold for legal');
    assert.equal(statusLabel('overall', undefined), 'unknown');
    assert.equal(statusLabel('overall', 'a\nb\u0000c'), 'a b c');
    assert.equal(submissionDescription(sub('1.0', { overall: 'waiting_for_godot' })), '1.0 · waiting for godot');
  });

  it('in review (worth polling): technical or marketing in a review stage, overall not final', () => {
    assert.equal(isInReview(SEED.automation), true);
    assert.equal(isInReview(SEED.manualQa), true, 'technical awaiting manual QA, though marketing was rejected');
    assert.equal(isInReview(sub('1', { overall: 'in_progress', technical: 'approved', marketing: 'in_marketing_review' })), true);
    assert.equal(isInReview(sub('1', { technical: 'in_manual_qa' })), true, 'no overall: not final');
    for (const s of [SEED.released, SEED.rejected, SEED.draft, SEED.approved, SEED.qaRejected]) assert.equal(isInReview(s), false, s.version);
    assert.equal(isInReview(sub('1', { overall: 'canceled_by_admin', technical: 'in_automation' })), false);
    assert.equal(isInReview(sub('1', { overall: 'in_progress', technical: 'mystery' })), false);
  });

  it('what you can do now, from the object-of-arrays shape and the docs\' string shape', () => {
    assert.equal(actionsLine(SEED.draft), 'You can: submit technical review, submit marketing review, cancel');
    assert.equal(actionsLine(SEED.automation), 'You can: recall technical review, recall marketing review, cancel');
    assert.equal(actionsLine({ actionsNowAvailable: { overall: ['cancel'], technical: ['submit'] } }), 'You can: submit technical review, cancel');
    assert.equal(actionsLine({ actionsNowAvailable: { any: ['submit', 'cancel'] } }), 'You can: submit, cancel');
    assert.equal(actionsLine({ actionsNowAvailable: {} }), undefined);
    assert.deepEqual(availableActions({ actionsNowAvailable: { technical: ['fast_track'], legal: ['sign'] } }), ['fast track (technical)', 'sign (legal)']);
    assert.deepEqual(availableActions({ actionsNowAvailable: { overall: ['cancel', 'cancel'] } }), ['cancel']);
  });

  it('tool runs: status icons and labels, tool names', () => {
    assert.deepEqual(toolRunStatusView('pass'), { icon: 'pass', color: 'testing.iconPassed', label: 'passed' });
    assert.deepEqual(toolRunStatusView('fail'), { icon: 'error', color: 'testing.iconFailed', label: 'failed' });
    assert.equal(toolRunStatusView('error').label, 'could not run');
    assert.equal(toolRunStatusView('needs_review').label, 'needs review');
    assert.deepEqual(toolRunStatusView('in_queue'), { icon: 'question', label: 'in queue' });
    assert.equal(toolRunStatusView(undefined).label, 'unknown');
    assert.equal(toolLabel('phpcs'), 'Code sniffer (phpcs)');
    assert.equal(toolLabel('manual_qa'), 'Manual QA');
    assert.equal(toolLabel('security_scan'), 'security scan');
  });

  it('the notification sentence says what changed and what it was', () => {
    const s = SEED.automation;
    assert.equal(
      changeSentence(s, { overall: 'in_progress', technical: 'in_automation', marketing: 'awaiting_marketing_review' }, { overall: 'in_progress', technical: 'awaiting_manual_qa', marketing: 'awaiting_marketing_review' }),
      'Example Module 1.0.2: technical review is now awaiting manual QA (was in automation).',
    );
    assert.equal(
      changeSentence(s, { technical: 'in_manual_qa', marketing: 'awaiting_marketing_review' }, { technical: 'approved', marketing: 'in_marketing_review' }),
      'Example Module 1.0.2: technical review is now approved (was in manual QA); marketing review is now in review (was awaiting review).',
    );
    assert.equal(changeSentence(s, { overall: 'approved', technical: 'approved' }, { overall: 'released_to_store', technical: 'approved' }), 'Example Module 1.0.2 is now released to the store (was approved).');
    assert.equal(changeSentence(s, { technical: 'approved' }, { technical: 'approved' }), undefined);
    assert.equal(changeSentence(s, { technical: 'in_automation' }, { technical: 'under_the_sea' }), 'Example Module 1.0.2: technical review is now under the sea (was in automation).');
  });

  it('a hostile name stays one line in the sentence (the caller unlinks it for the notification)', () => {
    const s = sub('1.0', { technical: 'rejected' }, {}, { name: 'Evil\n[x](command:eqp.keys.delete)' });
    assert.equal(changeSentence(s, { technical: 'in_automation' }, { technical: 'rejected' }), 'Evil [x](command:eqp.keys.delete) 1.0: technical review is now rejected (was in automation).');
    assert.equal(submissionTitle({ submissionId: 'abc', version: '1.0' }), 'submission abc 1.0');
    assert.equal(submissionTitle({ submissionId: 'abc', sku: 'acme/x' }), 'acme/x');
  });
});
