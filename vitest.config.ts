/**
 * Three layers: pure modules in Node; the worker apps inside workerd (the Workers Vitest
 * integration, no database); and integration tests through the real platform (PostgreSQL,
 * PostgREST, the gateway and the workers in workerd), started once by a global setup; the
 * publisher order tests run a second time on a platform whose card processor is Stripe.
 */
import { cloudflareTest } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    // Worker logs are shown for failing tests only.
    silent: 'passed-only',
    projects: [
      {
        test: {
          name: 'unit',
          environment: 'node',
          include: ['shared/**/*.test.ts', 'platform/**/*.test.ts', 'admin/**/*.test.ts', 'bench/**/*.test.ts'],
        },
      },
      {
        plugins: [cloudflareTest({ wrangler: { configPath: './functions/lumen/wrangler.toml' } })],
        test: {
          name: 'workers',
          include: ['functions/**/*.test.ts'],
        },
      },
      {
        test: {
          name: 'integration',
          environment: 'node',
          include: ['test/**/*.test.ts', 'supabase/tests/**/*.test.ts'],
          exclude: ['test/stripe/**'],
          globalSetup: ['test/setup/platform.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        // The publisher orders again, with cards charged through Stripe (the local Stripe-compatible
        // server), on a platform of their own started in Stripe mode by the same setup.
        test: {
          name: 'integration-stripe',
          environment: 'node',
          include: ['test/groupcommerce-orders.test.ts', 'test/stripe/**/*.test.ts'],
          globalSetup: ['test/setup/platform.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
