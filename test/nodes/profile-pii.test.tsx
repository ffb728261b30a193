// Issue 10, "personal data in error texts": Get Profile and Get Profile Status by a unique
// attribute must not put the e-mail (or phone) into any error message, description or
// Continue-On-Fail item, whatever the failure. In-process against the Actito sandbox.
import type { IDataObject } from 'n8n-workflow';

import { ActitoAudience } from '../../nodes/ActitoAudience/ActitoAudience.node';
import { runNode } from '../support/n8nContext';
import { startSandboxes, type Sandboxes } from './sandboxes';

const node = new ActitoAudience();
let s: Sandboxes;
const rl = (value: string) => ({ __rl: true, mode: 'id', value });
const EMAIL = 'jane.doe@example.com';
const PHONE = '+32 470 12 34 56';
const PROFILES = '/profiles/v5/entities/acme/profile-tables/*';

beforeAll(async () => {
	s = await startSandboxes();
});
afterAll(async () => {
	await s?.close();
});
beforeEach(async () => {
	await s.actitoControl('POST', 'faults/clear');
});

function run(operation: string, value: string, attribute: string, extra: { continueOnFail?: boolean; entity?: string } = {}) {
	return runNode(node, {
		parameters: {
			resource: 'audience',
			operation,
			linkSource: 'audience',
			table: rl('Customers'),
			segmentation: rl('Audiences:VIP'),
			findBy: 'attribute',
			uniqueAttribute: attribute,
			uniqueValue: value,
		},
		continueOnFail: extra.continueOnFail,
		credentials: { actitoApi: { ...s.actitoCredentials, ...(extra.entity ? { entity: extra.entity } : {}) } },
	}).then(([out]) => out);
}

const leaks = (text: string) => /jane|doe%40|%40example|@example|470 ?12|32470/i.test(text);

function allTexts(error: any): string {
	return [error?.message, error?.description, JSON.stringify(error?.context ?? {}), JSON.stringify(error?.cause?.message ?? ''), String(error?.stack ?? '')].join(' | ');
}

describe.each([
	['getProfile', EMAIL, 'emailAddress'],
	['getProfileStatus', EMAIL, 'emailAddress'],
	['getProfile', PHONE, 'gsmNumber'],
])('%s by %s', (operation, value, attribute) => {
	const failures: Array<[string, object]> = [
		['400 whose text quotes the key', { status: 400, body: { message: `Unknown key ${attribute}=${value} (${encodeURIComponent(value)})` } }],
		['403 with an HTML page', { status: 403, body: `<html><body>Denied for ${value}</body></html>` }],
		['409', { status: 409, body: { message: `conflict on ${value}` } }],
		['200 with an HTML page', { status: 200, body: `<html>${value}</html>` }],
	];

	it.each(failures)('a %s gives an error without the identifier', async (_label, fault) => {
		await s.actitoControl('POST', 'faults', { match: { path: PROFILES }, count: 1, ...fault });
		const error = await run(operation, value, attribute).then(
			() => null,
			(e) => e,
		);
		expect(error).not.toBeNull();
		expect(leaks(allTexts(error))).toBe(false);
	});

	it.each(failures)('a %s with Continue On Fail gives an item without the identifier', async (_label, fault) => {
		await s.actitoControl('POST', 'faults', { match: { path: PROFILES }, count: 1, ...fault });
		const out = await run(operation, value, attribute, { continueOnFail: true });
		expect(out).toHaveLength(1);
		expect(out[0].pairedItem).toEqual({ item: 0 });
		expect((out[0].json as IDataObject).error).toEqual(expect.any(String));
		expect(leaks(JSON.stringify(out))).toBe(false);
	});

	it('a wrong entity (404 and the entity check) gives an error without the identifier', async () => {
		const error = await run(operation, value, attribute, { entity: 'acne' }).then(
			() => null,
			(e) => e,
		);
		expect(error?.message).toMatch(/entity "acne" does not exist|acne/);
		expect(leaks(allTexts(error))).toBe(false);
	});
});
