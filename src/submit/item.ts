/** The POST body item of one submission (packages.md), from eqp-submission.json, composer.json and the uploads. No `vscode` import. */
import type { PackageItem } from '../eqp/uploads';
import type { SubmissionSpec } from './types';

export interface ItemInput {
  spec: SubmissionSpec;
  composer: { name: string; type: string; version: string };
  /** The zip's upload. */
  artifactId: string;
  /** The user guide's upload, when there is one. */
  userGuideId?: string;
  /** Send `sku` (a new version of a product the account has); the SKU is the composer name unless the file says. */
  existingProduct: boolean;
}

export function packageType(spec: SubmissionSpec, composerType: string): string {
  if (spec.type) return spec.type;
  return composerType === 'magento2-theme' ? 'theme' : 'extension';
}

export function buildPackageItem(input: ItemInput): PackageItem {
  const { spec, composer } = input;
  const item: PackageItem = {
    action: spec.marketing ? { technical: spec.technical, marketing: spec.marketing } : { technical: spec.technical },
    type: packageType(spec, composer.type),
    platform: 'M2',
    version: composer.version,
    artifact: { file_upload_id: input.artifactId },
  };
  if (input.existingProduct || spec.sku) item.sku = spec.sku ?? composer.name;
  if (spec.name) item.name = spec.name;
  if (spec.releaseNotes !== undefined) item.release_notes = spec.releaseNotes;
  if (spec.versionCompatibility.length > 0) item.version_compatibility = spec.versionCompatibility.map((v) => ({ edition: v.edition, versions: [...v.versions] }));
  if (spec.licenseType) item.license_type = spec.licenseType;
  if (spec.customLicenseName) item.custom_license_name = spec.customLicenseName;
  if (spec.customLicenseUrl) item.custom_license_url = spec.customLicenseUrl;
  if (input.userGuideId) item.documentation_artifacts = { user: { file_upload_id: input.userGuideId } };
  return item;
}
