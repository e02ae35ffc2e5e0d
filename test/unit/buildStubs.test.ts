// The esbuild stubs of axios internals (esbuild.js, build/stubs/): every one matches in the production build, one
// that matches nothing fails the build naming it, and a throwing stub says what it is and records that it was
// reached. The production bundle itself is exercised by the integration suite (test/integration/bundle.test.ts).
import * as assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { BuildOptions, Message, Metafile } from 'esbuild';
import * as esbuild from 'esbuild';
import FollowRedirects from '../../build/stubs/followRedirects';
import FormDataUnavailable from '../../build/stubs/formData';
import formBodyUnsupported from '../../build/stubs/axiosFormBody';
import { getFetch } from '../../build/stubs/axiosFetchAdapter';
import { STUBS_REACHED_KEY, STUB_REACHED_MARKER } from '../../build/stubs/reached';

const ROOT = path.resolve(__dirname, '../../..');

interface Stub { name: string; filter: RegExp; from?: string; to: string }
interface BuildConfig {
  STUBS: Stub[];
  buildOptions(o?: { production?: boolean; stubs?: string[]; extraStubs?: Stub[] }): BuildOptions;
}
const config = createRequire(__filename)(path.join(ROOT, 'esbuild.js')) as BuildConfig;

/** Builds in memory (dist/ is left alone); resolves with the metafile, or rejects with esbuild's errors. */
async function build(o: Parameters<BuildConfig['buildOptions']>[0]): Promise<Metafile> {
  const result = await esbuild.build({ ...config.buildOptions(o), write: false, logLevel: 'silent' });
  assert.ok(result.metafile);
  return result.metafile;
}

describe('build stubs (esbuild.js, build/stubs/)', function () {
  this.timeout(60_000);

  it('the production build succeeds with every stub used, and each stub module is in the bundle', async () => {
    const meta = await build({ production: true });
    const inputs = Object.keys(meta.inputs);
    for (const stub of config.STUBS) {
      assert.ok(stub.to.startsWith('build/stubs/'), `${stub.name}: stubs live under build/stubs/, not ${stub.to}`);
      assert.ok(inputs.includes(stub.to), `${stub.name}: ${stub.to} is not in the bundle`);
    }
    assert.ok(!inputs.some((i) => /node_modules\/(form-data|follow-redirects|mime-db|debug|https-proxy-agent|agent-base|proxy-from-env)\//.test(i)), 'a stubbed package was bundled anyway');
    assert.ok(!inputs.some((i) => /axios\/lib\/helpers\/(toFormData|formDataToJSON)\.js$/.test(i)), 'a stubbed axios serialiser was bundled anyway');
  });

  it('what file uploads need stays in: the FormData streamer, the Blob reader and the progress helpers', async () => {
    const meta = await build({ production: true });
    const inputs = Object.keys(meta.inputs);
    for (const helper of ['formDataToStream', 'readBlob', 'progressEventReducer', 'AxiosTransformStream']) {
      assert.ok(inputs.some((i) => i.endsWith(`axios/lib/helpers/${helper}.js`)), `${helper} is not in the bundle: uploadFiles would fail`);
    }
  });

  it('a stub whose filter matches nothing fails the build, naming it', async () => {
    const bogus: Stub = { name: 'bogus axios helper', filter: /^\.\/helpers\/noSuchHelper\.js$/, from: 'node_modules/axios/lib', to: 'build/stubs/proxyFromEnv.ts' };
    await assert.rejects(build({ production: true, extraStubs: [bogus] }), (e: { errors?: Message[] }) => {
      assert.ok(Array.isArray(e.errors), `not an esbuild failure: ${String(e)}`);
      assert.equal(e.errors.length, 1, JSON.stringify(e.errors));
      assert.match(e.errors[0]?.text ?? '', /stub "bogus axios helper" matched nothing/);
      return true;
    });
  });

  it('a subset of stubs (as bench prices them) builds; only the active ones must match', async () => {
    await build({ production: true, stubs: ['form-data'] });
    await build({ production: true, stubs: [] });
  });

  it('a throwing stub names itself with the marker and records that it was reached', () => {
    const holder = globalThis as { [STUBS_REACHED_KEY]?: string[] };
    const before = holder[STUBS_REACHED_KEY];
    holder[STUBS_REACHED_KEY] = [];
    try {
      assert.throws(() => getFetch(), new RegExp(`^Error: ${STUB_REACHED_MARKER}: axios fetch adapter\\.`));
      assert.throws(() => FollowRedirects.https.request(), new RegExp(`${STUB_REACHED_MARKER}: follow-redirects\\.`));
      assert.throws(() => new FormDataUnavailable(), new RegExp(`${STUB_REACHED_MARKER}: form-data\\.`));
      assert.throws(() => formBodyUnsupported(), new RegExp(`${STUB_REACHED_MARKER}: axios form bodies and params\\.`));
      assert.deepEqual(holder[STUBS_REACHED_KEY], ['axios fetch adapter', 'follow-redirects', 'form-data', 'axios form bodies and params']);
      assert.equal(Symbol.for('eqp-keys.buildStubsReached'), STUBS_REACHED_KEY, 'the integration test reads this symbol');
    } finally {
      holder[STUBS_REACHED_KEY] = before;
    }
  });
});
