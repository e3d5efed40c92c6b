import { readFile } from 'node:fs/promises';
import { parse as parseToml } from 'smol-toml';
import { describe, expect, it } from 'vitest';
import { apiNames } from '../../shared/apis.ts';
import { awsRegionHints, placementFor, withPlacement } from './placement.ts';

describe('placement', () => {
  it('places by Smart Placement without a region, and in the named AWS region with its limiters nearby', () => {
    expect(placementFor(undefined)).toEqual({ config: { mode: 'smart' } });
    expect(placementFor('aws:eu-central-1')).toEqual({ config: { region: 'aws:eu-central-1' }, locationHint: 'weur' });
    expect(placementFor('aws:us-west-2')?.locationHint).toBe('wnam');
    expect(placementFor('aws:ap-southeast-2')?.locationHint).toBe('oc');
  });

  it('knows every region Supabase runs projects in, and refuses one it does not', () => {
    const supabase = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'sa-east-1', 'eu-west-1', 'eu-west-2', 'eu-west-3',
      'eu-central-1', 'eu-central-2', 'eu-north-1', 'ap-south-1', 'ap-southeast-1', 'ap-northeast-1', 'ap-northeast-2', 'ap-southeast-2'];
    for (const region of supabase) expect(awsRegionHints[region], region).toBeDefined();
    expect(placementFor('aws:mars-north-1')).toBeNull();
    expect(placementFor('gcp:us-east4')).toBeNull();
    expect(placementFor('us-east-1')).toBeNull();
  });

  it("rewrites each API worker's committed Smart Placement as the region, keeping the rest of its config", async () => {
    for (const api of apiNames) {
      const toml = await readFile(`functions/${api}/wrangler.toml`, 'utf8');
      expect((parseToml(toml) as { placement?: unknown }).placement, api).toEqual({ mode: 'smart' });
      const placed = withPlacement(toml, { region: 'aws:eu-central-1' });
      const { placement, ...rest } = parseToml(placed) as Record<string, unknown>;
      const { placement: _, ...committed } = parseToml(toml) as Record<string, unknown>;
      expect(placement, api).toEqual({ region: 'aws:eu-central-1' });
      expect(rest, api).toEqual(committed);
      expect(placed.split('\n').filter((line) => line.startsWith('#')), api).toEqual(toml.split('\n').filter((line) => line.startsWith('#')));
    }
  });
});
