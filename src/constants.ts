/** Identifiers shared by package.json contributions and the code; scripts/check-commands.mjs keeps them in step. */
export const EXTENSION_ID = 'eqp-keys.eqp-keys';
export const VIEW_CONTAINER_ID = 'eqpKeys';
export const KEYS_VIEW_ID = 'eqp.keys';
export const COMPOSER_VIEW_ID = 'eqp.composerKeys';
export const SUBMISSIONS_VIEW_ID = 'eqp.submissions';
export const OUTPUT_CHANNEL_NAME = 'EQP Keys';
export const TOKEN_STATUS_BAR_ID = 'eqp.token';

/** Every command the extension registers; each must be contributed in package.json and vice versa. */
export const COMMANDS = {
  keysCreate: 'eqp.keys.create',
  keysRegenerate: 'eqp.keys.regenerate',
  keysDelete: 'eqp.keys.delete',
  keysRename: 'eqp.keys.rename',
  keysVerify: 'eqp.keys.verify',
  keysUse: 'eqp.keys.use',
  keysCopyApplicationId: 'eqp.keys.copyApplicationId',
  keysOpenPortal: 'eqp.keys.openPortal',
  keysRefresh: 'eqp.keys.refresh',
  environmentSwitch: 'eqp.environment.switch',
  tokenInsert: 'eqp.token.insert',
  tokenCopy: 'eqp.token.copy',
  tokenGet: 'eqp.token.get',
  tokenRefresh: 'eqp.token.refresh',
  tokenForget: 'eqp.token.forget',
  tokenMenu: 'eqp.token.menu',
  tokenManageAccess: 'eqp.token.manageAccess',
  composerCreate: 'eqp.composer.create',
  composerEnable: 'eqp.composer.enable',
  composerDisable: 'eqp.composer.disable',
  composerDelete: 'eqp.composer.delete',
  composerCopyPublicKey: 'eqp.composer.copyPublicKey',
  composerCopyPrivateKey: 'eqp.composer.copyPrivateKey',
  composerWriteAuthJson: 'eqp.composer.writeAuthJson',
  composerRefresh: 'eqp.composer.refresh',
  composerRotate: 'eqp.composer.rotate',
  submissionsRefresh: 'eqp.submissions.refresh',
  submissionsLoadMore: 'eqp.submissions.loadMore',
  submissionsOpenReport: 'eqp.submissions.openReport',
  submissionsOpenReportJson: 'eqp.submissions.openReportJson',
  submissionsShowProblems: 'eqp.submissions.showProblems',
  submissionsClearProblems: 'eqp.submissions.clearProblems',
  submissionsOpenInPortal: 'eqp.submissions.openInPortal',
  submissionsCopySubmissionId: 'eqp.submissions.copySubmissionId',
  submissionsSubmit: 'eqp.submissions.submit',
  submissionsBuildPackage: 'eqp.submissions.buildPackage',
  submissionsInitSubmissionFile: 'eqp.submissions.initSubmissionFile',
  showLog: 'eqp.showLog',
} as const;
export type CommandId = (typeof COMMANDS)[keyof typeof COMMANDS];

/** Context keys set with `setContext`, used in `when` clauses of package.json. */
export const CONTEXT = {
  hasKeys: 'eqp.hasKeys',
  /** Every environment with an API access key has loaded its Composer keys, and there are none. */
  composerEmpty: 'eqp.composer.empty',
  /** No environment has an API access key, or every one loaded its submissions and there are none. */
  submissionsEmpty: 'eqp.submissions.empty',
} as const;

/**
 * The argument the tree's keybindings (F2, Delete, Enter with `focusedView == eqp.keys`) pass: VS Code hands a
 * keybinding's command no row, so the command acts on the view's selection instead.
 */
export const VIEW_SELECTION_ARG = 'eqp.keys:selection';
