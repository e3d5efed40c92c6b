/** GET /: DPD's clients call the root to test their credentials. */
import { authenticateCaller } from '../../../shared/app/authenticate.ts';
import { basicAuth, dpd } from '../basic-auth.ts';

export const ping = dpd.createHandlers(basicAuth, async (c) => {
  await authenticateCaller(c, c.get('credential')!);
  return c.json({ status: 'SUCCESS' });
});
