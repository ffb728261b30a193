// Consent Filter and Hash Identifiers, executed in-process through the n8n context stand-in.
import { createHash } from 'node:crypto';

import { NodeOperationError } from 'n8n-workflow';
import type { IDataObject, INodeExecutionData } from 'n8n-workflow';

import { hashIdentifier } from '../../core/identifiers';
import { ConsentFilter } from '../../nodes/ConsentFilter/ConsentFilter.node';
import { HashIdentifiers } from '../../nodes/HashIdentifiers/HashIdentifiers.node';
import { runNode } from '../support/n8nContext';

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const items = (...list: IDataObject[]): INodeExecutionData[] => list.map((json) => ({ json }));

async function consent(input: IDataObject[], parameters: Record<string, unknown> = {}) {
	const [allowed, blocked] = await runNode(new ConsentFilter(), { items: items(...input), parameters });
	return { allowed, blocked };
}

describe('Consent Filter', () => {
	it('routes consenting adds to Allowed and refused ones to Blocked, with a removal on Allowed', async () => {
		const link = 'actito:acme/Customers/seg:Audiences:VIP→meta:1';
		const { allowed, blocked } = await consent([
			{ profileId: '1', action: 'add', reason: 'joined', email: 'a@x.com', marketingConsent: true, link },
			{ profileId: '2', action: 'add', reason: 'joined', email: 'b@x.com', marketingConsent: false, link },
		]);
		expect(allowed.map((i) => i.json.profileId)).toEqual(['1', '2']);
		expect(allowed[0].json).toMatchObject({ action: 'add', email: 'a@x.com' });
		// The refused add became a removal by id: no identifier travels on.
		expect(allowed[1].json).toEqual({ profileId: '2', action: 'remove', reason: 'consent_withdrawn', marketingConsent: false, link });
		expect(blocked).toHaveLength(1);
		expect(blocked[0].json).toMatchObject({ profileId: '2', action: 'add', email: 'b@x.com', consentVerdict: 'negative', link });
	});

	it('lets every removal pass, whatever the consent', async () => {
		const { allowed, blocked } = await consent(
			[
				{ profileId: '1', action: 'remove', reason: 'left', marketingConsent: false },
				{ profileId: '2', action: 'REMOVE', reason: 'deleted' },
			],
			{ unknownConsent: 'block' },
		);
		expect(allowed.map((i) => i.json)).toEqual([
			{ profileId: '1', action: 'remove', reason: 'left', marketingConsent: false },
			{ profileId: '2', action: 'REMOVE', reason: 'deleted' },
		]);
		expect(blocked).toEqual([]);
	});

	it.each([
		['"false"', 'false', 'negative'],
		['0', 0, 'negative'],
		['"no"', 'no', 'negative'],
		['"No " (case, spaces)', 'No ', 'negative'],
	])('blocks the explicit refusal %s under both policies', async (_label, value, verdict) => {
		for (const unknownConsent of ['allow', 'block']) {
			const { allowed, blocked } = await consent([{ profileId: '7', action: 'add', marketingConsent: value }], { unknownConsent });
			expect(blocked).toHaveLength(1);
			expect(blocked[0].json.consentVerdict).toBe(verdict);
			expect(allowed).toHaveLength(1);
			expect(allowed[0].json).toMatchObject({ profileId: '7', action: 'remove', reason: 'consent_withdrawn', marketingConsent: false });
		}
	});

	it.each([
		['null', { marketingConsent: null }],
		['a missing field', {}],
		['an unrecognised word', { marketingConsent: 'maybe' }],
		['a number other than 0/1', { marketingConsent: 2 }],
	])('treats %s as unknown: allowed under "allow", blocked under "block"', async (_label, extra) => {
		const input = { profileId: '9', action: 'add', email: 'c@x.com', ...extra };
		const allow = await consent([input], { unknownConsent: 'allow' });
		expect(allow.allowed.map((i) => i.json)).toEqual([input]);
		expect(allow.blocked).toEqual([]);
		const block = await consent([input], { unknownConsent: 'block' });
		expect(block.blocked).toHaveLength(1);
		expect(block.blocked[0].json).toMatchObject({ profileId: '9', consentVerdict: 'unknown' });
		expect(block.allowed).toHaveLength(1);
		expect(block.allowed[0].json).toMatchObject({ profileId: '9', action: 'remove', reason: 'consent_withdrawn', marketingConsent: null });
		expect(block.allowed[0].json).not.toHaveProperty('email');
	});

	it.each([
		['true', true],
		['"true"', 'true'],
		['1', 1],
		['"yes"', 'yes'],
	])('allows the explicit consent %s under "block"', async (_label, value) => {
		const { allowed, blocked } = await consent([{ profileId: '3', action: 'add', marketingConsent: value }], { unknownConsent: 'block' });
		expect(blocked).toEqual([]);
		expect(allowed[0].json).toMatchObject({ profileId: '3', action: 'add' });
	});

	it('treats an item without an action as an add (it is checked)', async () => {
		const { allowed, blocked } = await consent([
			{ profileId: '4', marketingConsent: false },
			{ profileId: '5', marketingConsent: true },
		]);
		expect(blocked.map((i) => i.json.profileId)).toEqual(['4']);
		expect(allowed.map((i) => i.json)).toEqual([
			{ profileId: '4', action: 'remove', reason: 'consent_withdrawn', marketingConsent: false },
			{ profileId: '5', marketingConsent: true },
		]);
	});

	it('honours custom action, reason and consent fields', async () => {
		const { allowed, blocked } = await consent(
			[
				{ profileId: '1', op: 'remove', optIn: false },
				{ profileId: '2', op: 'add', optIn: 'no' },
				{ profileId: '3', op: 'add', optIn: 'yes' },
			],
			{ consentField: 'optIn', options: { actionField: 'op', reasonField: 'why' } },
		);
		expect(allowed.map((i) => i.json)).toEqual([
			{ profileId: '1', op: 'remove', optIn: false },
			{ profileId: '2', op: 'remove', why: 'consent_withdrawn', marketingConsent: false },
			{ profileId: '3', op: 'add', optIn: 'yes' },
		]);
		expect(blocked.map((i) => i.json.profileId)).toEqual(['2']);
	});

	it('reads consent from a named subscription', async () => {
		const subs = (subscribe: unknown) => [
			{ name: 'Other', subscribe: true },
			{ name: 'Newsletter', subscribe },
		];
		const { allowed, blocked } = await consent(
			[
				{ profileId: '1', action: 'add', subscriptions: subs(true), marketingConsent: false },
				{ profileId: '2', action: 'add', subscriptions: subs(false), marketingConsent: true },
				{ profileId: '3', action: 'add', subscriptions: [{ name: 'Other', subscribe: false }] },
				{ profileId: '4', action: 'add' },
			],
			{ consentSource: 'subscription', subscriptionName: 'Newsletter', unknownConsent: 'block' },
		);
		expect(allowed.map((i) => [i.json.profileId, i.json.action])).toEqual([
			['1', 'add'],
			['2', 'remove'],
			['3', 'remove'],
			['4', 'remove'],
		]);
		expect(blocked.map((i) => [i.json.profileId, i.json.consentVerdict])).toEqual([
			['2', 'negative'],
			['3', 'unknown'],
			['4', 'unknown'],
		]);
	});

	it('pairs every output item with its input item', async () => {
		const input = [
			{ profileId: '1', action: 'add', marketingConsent: true },
			{ profileId: '2', action: 'add', marketingConsent: false },
			{ profileId: '3', action: 'remove' },
			{ profileId: '4', action: 'add' },
		];
		const { allowed, blocked } = await consent(input, { unknownConsent: 'block' });
		for (const out of [...allowed, ...blocked]) {
			expect(out.pairedItem).toEqual({ item: expect.any(Number) });
			const source = input[(out.pairedItem as { item: number }).item];
			expect(out.json.profileId).toBe(source.profileId);
		}
		expect(allowed).toHaveLength(4);
		expect(blocked).toHaveLength(2);
	});
});

describe('Hash Identifiers', () => {
	const hash = (input: IDataObject[], parameters: Record<string, unknown> = {}, continueOnFail = false) =>
		runNode(new HashIdentifiers(), { items: items(...input), parameters, continueOnFail }).then(([out]) => out);

	it('maps email and phone by default, hashed per Meta rules, and keeps other fields', async () => {
		const [out] = await hash([{ profileId: '1042', email: ' Jane.Doe@Example.com ', phone: '+32 470 12 34 56', link: 'L' }]);
		expect(out.json).toMatchObject({ profileId: '1042', email: ' Jane.Doe@Example.com ', phone: '+32 470 12 34 56', link: 'L' });
		expect(out.json.meta).toEqual({
			schema: ['EMAIL', 'PHONE'],
			row: [sha('jane.doe@example.com'), sha('32470123456')],
			invalid: {},
			hasMatchKey: true,
		});
	});

	it('sends EXTERN_ID unhashed, and normalizes a national phone with the country field', async () => {
		const mapping = [
			{ key: 'EXTERN_ID', field: 'profileId' },
			{ key: 'EMAIL', field: 'email' },
			{ key: 'PHONE', field: 'phone' },
		];
		const out = await hash(
			[
				{ profileId: '1042', email: 'a@b.be', phone: '0470 12 34 56', country: 'BE' },
				{ profileId: '1043', email: 'c@d.fr', phone: '06 12 34 56 78', country: 'France' },
				{ profileId: '1044', phone: '0470/12.34.56' },
				{ profileId: '1045', phone: '06 12 34 56 78', country: 'FR' },
			],
			{ identifiers: { mapping }, defaultCountry: 'BE' },
		);
		expect(out.map((o) => (o.json.meta as IDataObject).schema)).toEqual(Array(4).fill(['EXTERN_ID', 'EMAIL', 'PHONE']));
		expect((out[0].json.meta as IDataObject).row).toEqual(['1042', sha('a@b.be'), sha('32470123456')]);
		expect((out[1].json.meta as IDataObject).row).toEqual(['1043', sha('c@d.fr'), sha('33612345678')]);
		// No country on the item: the default country applies.
		expect((out[2].json.meta as IDataObject).row).toEqual(['1044', '', sha('32470123456')]);
		// The item's country wins over the default.
		expect((out[3].json.meta as IDataObject).row).toEqual(['1045', '', sha('33612345678')]);
		// And the same as the core's function, which the sync's fingerprints use.
		expect((out[0].json.meta as IDataObject).row).toEqual([
			hashIdentifier('EXTERN_ID', '1042'),
			hashIdentifier('EMAIL', 'a@b.be'),
			hashIdentifier('PHONE', '0470 12 34 56', { country: 'BE' }),
		]);
	});

	it('reports invalid values in meta.invalid and leaves their column empty', async () => {
		const [out] = await hash([{ email: 'not an e-mail', phone: '0470 12 34 56' }]);
		const meta = out.json.meta as { row: string[]; invalid: Record<string, string>; hasMatchKey: boolean };
		expect(meta.row).toEqual(['', '']);
		expect(Object.keys(meta.invalid).sort()).toEqual(['EMAIL', 'PHONE']);
		expect(typeof meta.invalid.EMAIL).toBe('string');
		// A national number without any country cannot be made international.
		expect(meta.invalid.PHONE).toMatch(/country/i);
		expect(meta.hasMatchKey).toBe(false);
	});

	it('reads nested fields with dots', async () => {
		const [out] = await hash([{ contact: { mail: 'X@Y.com' } }], { identifiers: { mapping: [{ key: 'EMAIL', field: 'contact.mail' }] } });
		expect((out.json.meta as IDataObject).row).toEqual([sha('x@y.com')]);
	});

	it('strips the plain identifiers on request, keeping the external id, into a chosen field', async () => {
		const mapping = [
			{ key: 'EXTERN_ID', field: 'profileId' },
			{ key: 'EMAIL', field: 'email' },
			{ key: 'PHONE', field: 'phone' },
		];
		const [out] = await hash([{ profileId: '7', email: 'a@b.com', phone: '+32470123456', country: 'BE', action: 'add' }], {
			identifiers: { mapping },
			options: { stripPlain: true, outputField: 'hashed' },
		});
		expect(out.json).not.toHaveProperty('email');
		expect(out.json).not.toHaveProperty('phone');
		expect(out.json).not.toHaveProperty('meta');
		expect(out.json).toMatchObject({ profileId: '7', country: 'BE', action: 'add' });
		expect((out.json.hashed as IDataObject).row).toEqual(['7', sha('a@b.com'), sha('32470123456')]);
	});

	// "Remove Plain Identifiers" strips a field by the same path the mapping reads it from.
	it('strips a nested (dotted) plain identifier too', async () => {
		const [out] = await hash([{ profileId: '7', contact: { mail: 'X@Y.com', city: 'Gent' } }], {
			identifiers: { mapping: [{ key: 'EMAIL', field: 'contact.mail' }] },
			options: { stripPlain: true },
		});
		expect((out.json.meta as IDataObject).row).toEqual([sha('x@y.com')]);
		expect(JSON.stringify(out.json)).not.toContain('X@Y.com');
		expect(out.json.contact).toEqual({ city: 'Gent' });
	});

	it.each([['contacts[].email'], ['contacts.email'], ['contacts[0].email'], ['contacts.0.email']])(
		'strips plain identifiers inside lists (%s), in every element, and leaves the input as it was',
		async (field) => {
			const input = {
				profileId: '7',
				contacts: [
					{ email: 'Jane@Example.com', kind: 'work' },
					{ email: 'jane.home@example.org', kind: 'home' },
				],
				phones: ['+32 470 12 34 56'],
			};
			const before = JSON.stringify(input);
			const [out] = await hash([input], {
				identifiers: { mapping: [{ key: 'EMAIL', field }, { key: 'PHONE', field: 'phones[0]' }] },
				options: { stripPlain: true },
			});
			expect((out.json.meta as IDataObject).row).toEqual([sha('jane@example.com'), sha('32470123456')]);
			const text = JSON.stringify(out.json);
			expect(text).not.toMatch(/jane@example|Jane@Example/i);
			if (!/0/.test(field)) expect(text).not.toContain('jane.home@example.org');
			expect(text).not.toContain('470 12');
			expect((out.json.contacts as IDataObject[]).map((c) => c.kind)).toEqual(['work', 'home']);
			expect(JSON.stringify(input)).toBe(before);
		},
	);

	it('pairs each output item with its input item', async () => {
		const out = await hash([{ email: 'a@b.com' }, { email: 'c@d.com' }, {}]);
		expect(out.map((o) => o.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }]);
	});

	it('refuses a mapping with a key twice, as a NodeOperationError naming it', async () => {
		const parameters = {
			identifiers: {
				mapping: [
					{ key: 'EMAIL', field: 'email' },
					{ key: 'EMAIL', field: 'email2' },
				],
			},
		};
		await expect(hash([{ email: 'a@b.com' }], parameters)).rejects.toThrow(NodeOperationError);
		await expect(hash([{ email: 'a@b.com' }], parameters)).rejects.toThrow('The Meta key EMAIL is mapped twice');
	});

	it('refuses an empty mapping with a description of the fix', async () => {
		const error = await hash([{ email: 'a@b.com' }], { identifiers: { mapping: [] } }).catch((e) => e);
		expect(error).toBeInstanceOf(NodeOperationError);
		expect(error.message).toBe('No identifier is mapped');
		expect(error.description).toMatch(/Add at least one mapping/);
	});

	it('continues on fail with one error item per failing item, paired', async () => {
		const out = await hash([{ email: 'a@b.com' }, { email: 'c@d.com' }], { identifiers: { mapping: [{ key: 'EMAIL', field: '' }] } }, true);
		expect(out).toEqual([
			{ json: { error: 'No field is given for the Meta key EMAIL' }, pairedItem: { item: 0 } },
			{ json: { error: 'No field is given for the Meta key EMAIL' }, pairedItem: { item: 1 } },
		]);
	});
});
