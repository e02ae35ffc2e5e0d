/**
 * composer.json as the Marketplace's package verification reads it (sellers/technical-review-guidelines.md,
 * "Extension package verification"): `name`, `type` and `version` present; a valid package type; no `*`
 * constraint on a `magento/*` package; none of the Magento metapackages or the installer as a dependency; no
 * `extra.map` / `extra.magento-root-dir`; no inline aliases; a metapackage requires something. Each problem points
 * at the value in composer.json. No `vscode` import.
 */
import type { Node } from 'jsonc-parser';
import { jsonTypeWords, nodeRange, parseJsonDocument, problemAt, properties, property } from './jsonTree';
import type { PreflightProblem, TextRange } from './types';

export const COMPOSER_FILE = 'composer.json';

/**
 * The package types the guidelines accept: extensions magento2-module, magento2-language, metapackage; themes
 * magento2-theme (shared packages: module, theme or language).
 */
export const ALLOWED_TYPES: readonly string[] = ['magento2-module', 'magento2-theme', 'magento2-language', 'metapackage'];
/** A Magento component type (PHP developer guide) the guidelines do not list: allowed with a warning. */
export const DOUBTFUL_TYPES: readonly string[] = ['magento2-library'];
/** Dependencies the guidelines forbid. */
export const FORBIDDEN_DEPENDENCIES: readonly string[] = [
  'magento/magento-composer-installer',
  'magento/magento2-base',
  'magento/product-community-edition',
  'magento/magento2-ee-base',
  'magento/product-enterprise-edition',
];

/** Composer's own rule for a package name (vendor/package, lower case). */
const PACKAGE_NAME = /^[a-z0-9]([_.-]?[a-z0-9]+)*\/[a-z0-9](([_.]|-{1,2})?[a-z0-9]+)*$/;
/** The Marketplace takes `major.minor.patch` (packages.md), optionally with a pre-release suffix. */
const PACKAGE_VERSION = /^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/;

export interface ComposerRequire {
  name: string;
  constraint: string;
  range: TextRange;
}

export interface ComposerInfo {
  name?: string;
  type?: string;
  version?: string;
  /** Where `name`, `type` and `version` are (their values), for later problems (e.g. a version already submitted). */
  locations: { name?: TextRange; type?: TextRange; version?: TextRange };
  require: ComposerRequire[];
}

/** Reads composer.json and checks it; `composer` is present whenever the text is a JSON object. */
export function checkComposer(text: string, file = COMPOSER_FILE): { composer?: ComposerInfo; problems: PreflightProblem[] } {
  const doc = parseJsonDocument(text);
  const problems: PreflightProblem[] = [];
  if (doc.syntaxError) {
    problems.push({ code: 'composer-invalid-json', severity: 'error', file, range: doc.syntaxError.range, message: `${file} is not valid JSON: ${doc.syntaxError.message}.` });
    return { problems };
  }
  const root = doc.root;
  if (root?.type !== 'object') {
    problems.push(problemAt(doc, file, root, 'composer-not-object', `${file} must hold one JSON object ({ … }).`));
    return { problems };
  }
  const err = (node: Node | undefined, code: string, message: string): void => void problems.push(problemAt(doc, file, node, code, message));
  const warn = (node: Node | undefined, code: string, message: string): void => void problems.push(problemAt(doc, file, node, code, message, 'warning'));
  const composer: ComposerInfo = { locations: {}, require: [] };

  const str = (key: 'name' | 'type' | 'version', hint: string): string | undefined => {
    const node = property(root, key);
    if (!node) {
      err(undefined, `composer-missing-${key}`, `${file} has no "${key}": the Marketplace needs it (${hint}).`);
      return undefined;
    }
    composer.locations[key] = nodeRange(doc, node);
    if (node.type !== 'string' || String(node.value).trim() === '') {
      err(node, `composer-invalid-${key}`, `"${key}" must be non-empty text (${hint}), not ${node.type === 'string' ? 'empty' : jsonTypeWords(node)}.`);
      return undefined;
    }
    return String(node.value);
  };

  composer.name = str('name', 'vendor/package, e.g. "acme/module-example"');
  if (composer.name !== undefined && !PACKAGE_NAME.test(composer.name)) {
    err(property(root, 'name'), 'composer-invalid-name', `"${composer.name}" is not a Composer package name: vendor/package in lower case, e.g. "acme/module-example".`);
  }
  composer.type = str('type', `one of ${ALLOWED_TYPES.join(', ')}`);
  if (composer.type !== undefined && !ALLOWED_TYPES.includes(composer.type)) {
    if (DOUBTFUL_TYPES.includes(composer.type)) {
      warn(property(root, 'type'), 'composer-doubtful-type', `The Marketplace's technical review guidelines do not list "${composer.type}" as a package type (they list ${ALLOWED_TYPES.join(', ')}); the package verification may refuse it.`);
    } else {
      err(property(root, 'type'), 'composer-invalid-type', `"${composer.type}" is not a package type the Marketplace accepts: use ${ALLOWED_TYPES.join(', ')}.`);
    }
  }
  composer.version = str('version', 'major.minor.patch, e.g. "1.0.0"');
  if (composer.version !== undefined && !PACKAGE_VERSION.test(composer.version)) {
    err(property(root, 'version'), 'composer-invalid-version', `"${composer.version}" is not a version the Marketplace takes: major.minor.patch, e.g. "1.0.0".`);
  }

  const require = property(root, 'require');
  if (require && require.type !== 'object') err(require, 'composer-invalid-require', `"require" must be an object of package names and version constraints, not ${jsonTypeWords(require)}.`);
  for (const p of properties(require)) {
    if (p.value.type !== 'string') {
      err(p.value, 'composer-invalid-require', `The constraint of ${p.key} must be text, e.g. "^2.4".`);
      continue;
    }
    const constraint = String(p.value.value);
    composer.require.push({ name: p.key, constraint, range: nodeRange(doc, p.value) });
    const pkg = p.key.toLowerCase();
    if (pkg.startsWith('magento/') && hasBareWildcard(constraint)) {
      err(p.value, 'composer-magento-wildcard', `${p.key} must not use "*" as its version constraint: give the versions the package works with (e.g. "^103.0"), as the Marketplace requires for magento/* packages.`);
    }
    if (FORBIDDEN_DEPENDENCIES.includes(pkg)) {
      err(p.keyNode, 'composer-forbidden-dependency', `The Marketplace does not accept ${p.key} as a dependency: require the Magento modules the package uses instead.`);
    }
    if (/\sas\s/i.test(constraint)) {
      err(p.value, 'composer-inline-alias', `"${constraint}" is an inline alias ("… as …"), which the Marketplace does not accept.`);
    }
  }
  if (composer.type === 'metapackage' && composer.require.length === 0) {
    err(require ?? property(root, 'type'), 'composer-metapackage-empty', 'A metapackage must require at least one package.');
  }

  const extra = property(root, 'extra');
  for (const key of ['map', 'magento-root-dir']) {
    const node = property(extra, key);
    if (node) err(findKey(extra, key) ?? node, 'composer-forbidden-extra', `The Marketplace does not accept extra.${key} in composer.json: remove it.`);
  }
  return { composer, problems };
}

/** Whether a Composer constraint holds a bare `*` (alone or as one alternative), e.g. `*`, `^2.0 || *`, `*@dev`. */
export function hasBareWildcard(constraint: string): boolean {
  return constraint
    .split(/\s*\|\|?\s*|\s*,\s*|\s+/)
    .map((part) => part.replace(/@\w+$/, '').replace(/^v/i, ''))
    .some((part) => part === '*');
}

function findKey(object: Node | undefined, key: string): Node | undefined {
  return properties(object).find((p) => p.key === key)?.keyNode;
}
