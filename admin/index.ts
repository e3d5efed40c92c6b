/** `npm run admin -- <group> <command>`: the operator CLI for companies, credentials, webhooks, the outbox and card payments. */
import { parseArgs } from 'node:util';
import { companyCreate, companyList, companySet } from './commands/company.ts';
import { channelCreate, channelGrant, channelList, channelRevoke } from './commands/channel.ts';
import { credentialIssue, credentialList, credentialRevoke, credentialRotate } from './commands/credential.ts';
import { leadCreate, leadList } from './commands/lead.ts';
import { limitClear, limitList, limitSet } from './commands/limit.ts';
import { outboxList, outboxRedrive, outboxRelease } from './commands/outbox.ts';
import { paymentsReconcile } from './commands/payments.ts';
import { creditRuleCreate, creditRuleDeactivate, creditRuleList } from './commands/credit-rule.ts';
import { offerAddOption, offerAddSegment, offerCreate, offerList, promoCreate, promoDeactivate, promoList } from './commands/offer.ts';
import {
  partnershipAddSegment,
  partnershipGrantProduct,
  partnershipRemoveSegment,
  partnershipRevokeProduct,
  partnershipSet,
  partnershipShow,
} from './commands/partnership.ts';
import { productCreate, productList } from './commands/product.ts';
import { storefrontCreate, storefrontList } from './commands/storefront.ts';
import { triggerCreate, triggerDeactivate, triggerList } from './commands/trigger.ts';
import type { AdminCommand } from './commands/types.ts';
import {
  webhookAdd,
  webhookDeliveries,
  webhookDisable,
  webhookEnable,
  webhookList,
  webhookRedeliver,
  webhookRotateSecret,
} from './commands/webhook.ts';
import { CommandError, openContext, UsageError } from './context.ts';

/** Every command, by group and name. Later features add their groups here. */
export const commands: Record<string, Record<string, AdminCommand>> = {
  company: { create: companyCreate, list: companyList, set: companySet },
  credential: { issue: credentialIssue, list: credentialList, revoke: credentialRevoke, rotate: credentialRotate },
  channel: { create: channelCreate, list: channelList, grant: channelGrant, revoke: channelRevoke },
  lead: { create: leadCreate, list: leadList },
  product: { create: productCreate, list: productList },
  storefront: { create: storefrontCreate, list: storefrontList },
  trigger: { create: triggerCreate, list: triggerList, deactivate: triggerDeactivate },
  offer: { create: offerCreate, 'add-option': offerAddOption, 'add-segment': offerAddSegment, list: offerList },
  promo: { create: promoCreate, list: promoList, deactivate: promoDeactivate },
  'credit-rule': { create: creditRuleCreate, list: creditRuleList, deactivate: creditRuleDeactivate },
  limit: { set: limitSet, list: limitList, clear: limitClear },
  webhook: {
    add: webhookAdd,
    list: webhookList,
    disable: webhookDisable,
    enable: webhookEnable,
    'rotate-secret': webhookRotateSecret,
    deliveries: webhookDeliveries,
    redeliver: webhookRedeliver,
  },
  outbox: { list: outboxList, redrive: outboxRedrive, release: outboxRelease },
  payments: { reconcile: paymentsReconcile },
  partnership: {
    set: partnershipSet,
    show: partnershipShow,
    'grant-product': partnershipGrantProduct,
    'revoke-product': partnershipRevokeProduct,
    'add-segment': partnershipAddSegment,
    'remove-segment': partnershipRemoveSegment,
  },
};

const globalOptions = `Global options:
  --json               print machine-readable JSON
  --database-url URL   act on this database (default: DATABASE_URL, else the running npm start platform)
  --local              treat the database as local development (the public local keys when a key's
                       variable is unset; http webhooks to this machine); implied for the database
                       of the platform npm start runs
  --help               show help`;

function overview(): string {
  const lines = Object.entries(commands).flatMap(([group, members]) =>
    Object.entries(members).map(([name, command]) => `  ${`${group} ${name}`.padEnd(20)} ${command.summary}`),
  );
  return `Usage: npm run admin -- <command> [options]\n\nCommands:\n${lines.join('\n')}\n\n${globalOptions}\n\nRun a command with --help for its options.`;
}

async function main(argv: string[]): Promise<number> {
  const [group, name, ...rest] = argv;
  if (!group || group === '--help' || group === '-h' || group === 'help') {
    console.log(overview());
    return group ? 0 : 2;
  }
  const members = commands[group];
  if (members && (name === '--help' || name === '-h')) {
    const lines = Object.entries(members).map(([member, command]) => `  ${`${group} ${member}`.padEnd(24)} ${command.summary}`);
    console.log(`Usage: npm run admin -- ${group} <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun a command with --help for its options.`);
    return 0;
  }
  const command = members?.[name ?? ''];
  if (!command) {
    const known = commands[group] ? Object.keys(commands[group]).map((n) => `${group} ${n}`).join(', ') : null;
    console.error(`admin: unknown command "${[group, name].filter(Boolean).join(' ')}"${known ? ` (try: ${known})` : ''}\n\n${overview()}`);
    return 2;
  }
  const usage = () => `Usage: npm run admin -- ${command.usage.replace(/^admin /, '')}\n\n${globalOptions}`;
  let parsed;
  try {
    parsed = parseArgs({
      args: rest,
      allowPositionals: true,
      options: { ...command.options, json: { type: 'boolean' }, 'database-url': { type: 'string' }, local: { type: 'boolean' }, help: { type: 'boolean' } },
    });
  } catch (error) {
    console.error(`admin ${group} ${name}: ${(error as Error).message}\n\n${usage()}`);
    return 2;
  }
  if (parsed.values.help) {
    console.log(usage());
    return 0;
  }
  if (parsed.positionals.length !== command.positionals) {
    console.error(`admin ${group} ${name}: expected ${command.positionals} argument(s), got ${parsed.positionals.length}\n\n${usage()}`);
    return 2;
  }
  const json = parsed.values.json === true;
  let ctx;
  try {
    ctx = await openContext({ databaseUrl: parsed.values['database-url'] as string | undefined, json, local: parsed.values.local === true });
    await command.run(ctx, parsed.values as Record<string, string | boolean | undefined>, parsed.positionals);
    return 0;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`admin ${group} ${name}: ${error.message}\n\n${usage()}`);
      return 2;
    }
    if (error instanceof CommandError) {
      if (json) console.log(JSON.stringify({ error: error.message }));
      console.error(`admin ${group} ${name}: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await ctx?.db.end().catch(() => {});
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`admin: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
