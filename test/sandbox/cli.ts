// `npm run sandbox`: runs the EQP sandbox server until SIGINT/SIGTERM.
//
//   --port-production N   port of the production listener (default: a free one)
//   --port-sandbox N      port of the sandbox listener (default: a free one)
//   --info-file FILE      also write the printed info as JSON (the demo script reads it);
//                         removed again on exit
//   --no-seed             do not create the "Demo" key in each environment
//
// This is a local test server: printing the demo key's secret is intended.

import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { EqpSandbox, type SandboxEnv } from './server';

const ENVS: readonly SandboxEnv[] = ['production', 'sandbox'];
const USAGE = 'Usage: node out/test/sandbox/cli.js [--port-production N] [--port-sandbox N] [--info-file FILE] [--no-seed]';

/** What --info-file holds (and what is printed). */
export interface SandboxInfo {
  pid: number;
  environments: Record<SandboxEnv, {
    apiUrl: string;
    portalUrl: string;
    demoKey: { name: string; applicationId: string; applicationSecret: string } | null;
  }>;
}

function parsePort(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) {
    return undefined;
  }
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new Error(`${flag} must be a port number (0-65535), got "${value}"`);
  }
  return port;
}

/** Writes via a temporary file and a rename, so a reader never sees half a file. */
function writeInfoFile(file: string, info: SandboxInfo): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.tmp`);
  fs.writeFileSync(tmp, `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
  fs.renameSync(tmp, file);
}

function describe(info: SandboxInfo): string {
  const lines = [
    'EQP sandbox running (local test server). Press Ctrl+C to stop.',
    'Serves tokens, profiles, Composer keys, and seeded package submissions with their test reports (/rest/v1/products/packages).',
    '',
  ];
  for (const env of ENVS) {
    const e = info.environments[env];
    lines.push(env === 'production' ? 'Production' : 'Sandbox');
    lines.push(`  API URL:    ${e.apiUrl}`);
    lines.push(`  Portal URL: ${e.portalUrl}`);
    if (e.demoKey) {
      lines.push(`  Demo key "${e.demoKey.name}":`);
      lines.push(`    Application ID:     ${e.demoKey.applicationId}`);
      lines.push(`    Application secret: ${e.demoKey.applicationSecret}`);
      lines.push(`    Paste as ID:secret: ${e.demoKey.applicationId}:${e.demoKey.applicationSecret}`);
    }
    lines.push('');
  }
  return lines.join('\n');
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      'port-production': { type: 'string' },
      'port-sandbox': { type: 'string' },
      'info-file': { type: 'string' },
      'no-seed': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const ports = {
    production: parsePort('--port-production', values['port-production']),
    sandbox: parsePort('--port-sandbox', values['port-sandbox']),
  };
  const infoFile = values['info-file'] !== undefined ? path.resolve(values['info-file']) : undefined;

  const sandbox = await EqpSandbox.start({
    ports: Object.fromEntries(Object.entries(ports).filter(([, p]) => p !== undefined)),
  });
  const info: SandboxInfo = { pid: process.pid, environments: {} as SandboxInfo['environments'] };
  for (const env of ENVS) {
    const key = values['no-seed'] ? undefined : sandbox.createKey(env, 'Demo');
    info.environments[env] = {
      apiUrl: sandbox.apiUrl(env),
      portalUrl: sandbox.portalUrl(env),
      demoKey: key ? { name: key.name, applicationId: key.applicationId, applicationSecret: key.applicationSecret } : null,
    };
  }

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) {
      // A second Ctrl+C while closing: give up waiting.
      process.exit(1);
    }
    stopping = true;
    console.log(`\n${signal}: stopping the EQP sandbox.`);
    sandbox.close().then(() => {
      if (infoFile) {
        fs.rmSync(infoFile, { force: true });
      }
      process.exit(0);
    }, (err: unknown) => {
      console.error(err);
      process.exit(1);
    });
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);

  if (infoFile) {
    writeInfoFile(infoFile, info);
  }
  console.log(describe(info));
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  console.error(USAGE);
  process.exit(1);
});
