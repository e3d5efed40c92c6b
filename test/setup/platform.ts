/**
 * Starts one real platform for the integration tests (fresh database in .local/test, every
 * service on a free port, so it runs beside a developer's `npm start`) and stops it afterwards.
 */
import { rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { TestProject } from 'vitest/node';
import { readPlatformConfig } from '../../platform/stack/config.ts';
import { LogSink } from '../../platform/stack/errors.ts';
import { liftDemoLimits } from '../../platform/stack/demo-limits.ts';
import { startPlatform, type StackInfo } from '../../platform/stack/index.ts';
import { assertNotRunning, freePortEnvironment } from '../../platform/stack/preflight.ts';
import { reportDir as defaultReportDir } from '../reliability/report.ts';
import { scanForSecrets } from '../reliability/secrets-scan.ts';
import { summarize, writeSummary } from '../reliability/summary.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    stack: StackInfo;
    jwtSecret: string;
    oauthConsumerSecretKey: string;
    localDir: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  // The integration-stripe project: the same platform with cards charged through Stripe.
  const stripe = project.name === 'integration-stripe';
  const localDir = resolve('.local', stripe ? 'test-stripe' : 'test');
  const reportDir = stripe ? join(localDir, 'reliability') : defaultReportDir;
  // Another run's platform in the same folder is refused before its database is removed under it.
  await assertNotRunning(localDir);
  await rm(join(localDir, 'postgres'), { recursive: true, force: true });
  await rm(join(localDir, 'logs'), { recursive: true, force: true });
  await rm(join(localDir, 'worker-state'), { recursive: true, force: true });
  await rm(reportDir, { recursive: true, force: true });
  const config = readPlatformConfig({
    ...process.env,
    DATABASE_URL: '',
    LOCAL_DIR: localDir,
    // The whole suite calls from one address and fails to authenticate on purpose many times; the
    // per-IP limit is tried by test/limits.test.ts on workers of its own.
    FAILED_AUTH_LIMIT: '100000/60',
    PAYMENT_PROCESSOR: stripe ? 'stripe' : 'test',
    // Charge attempts left alone this long are reconciled (test/stripe/charge-attempts.test.ts waits for it).
    ...(stripe ? { RECONCILE_QUIET_SECONDS: '5' } : {}),
    ...(await freePortEnvironment()),
  });
  const log = new LogSink(localDir);
  const platform = await startPlatform(config, { log });
  await liftDemoLimits(platform.stack.databaseUrl);
  project.provide('stack', platform.stack);
  project.provide('jwtSecret', config.jwtSecret);
  project.provide('oauthConsumerSecretKey', config.oauthConsumerSecretKey);
  project.provide('localDir', localDir);
  return async () => {
    try {
      // After the whole suite, before the database goes: its rows and every log, for secrets in clear.
      const scan = await scanForSecrets(platform.stack.databaseUrl, join(localDir, 'logs'), [config.jwtSecret, config.jwtSigningKey.d, config.oauthConsumerSecretKey]);
      const summary = { ...(await summarize(reportDir)), secrets: { rowsScanned: scan.rows, logBytes: scan.logBytes, findings: scan.findings.length } };
      const path = await writeSummary(reportDir, summary);
      console.log(
        `reliability${stripe ? " (Stripe mode)" : ""}: ${summary.hostileInputs.tried} hostile inputs (${summary.hostileInputs.fiveHundreds} answered 5xx, ${summary.hostileInputs.rowsLeaked} rows leaked); ` +
          `${summary.isolation.checks} isolation checks (${summary.isolation.leaks} leaks); ${summary.abuse.length} attacks held; ${scan.rows} rows and ${scan.logBytes} log bytes scanned, ` +
          `${scan.findings.length} secrets in clear (${path})`,
      );
      if (scan.findings.length > 0) {
        throw new Error(`secrets in clear after the suite:\n${scan.findings.map((f) => `  ${f.where}: ${f.what}`).join('\n')}`);
      }
    } finally {
      await platform.stop();
      await log.close();
      await rm(join(localDir, 'postgres'), { recursive: true, force: true });
    }
  };
}
