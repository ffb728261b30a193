import type { IDataObject, IExecuteFunctions, INodeExecutionData, INodeType, INodeTypeDescription } from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { buildMetaRow, META_KEYS, type MetaKey } from '../../core/identifiers';
import { toNodeError } from '../shared/errors';

const KEY_LABELS: Record<string, string> = {
	EXTERN_ID: 'External ID (EXTERN_ID, not hashed)',
	EMAIL: 'E-Mail (EMAIL)',
	PHONE: 'Phone (PHONE)',
	GEN: 'Gender (GEN)',
	DOBY: 'Birth Year (DOBY)',
	DOBM: 'Birth Month (DOBM)',
	DOBD: 'Birth Day (DOBD)',
	LN: 'Last Name (LN)',
	FN: 'First Name (FN)',
	FI: 'First Initial (FI)',
	CT: 'City (CT)',
	ST: 'State or Province (ST)',
	ZIP: 'ZIP or Postal Code (ZIP)',
	MADID: 'Mobile Advertiser ID (MADID, not hashed)',
	COUNTRY: 'Country (COUNTRY)',
};

/** `contacts[0].email`, `contacts[].email`, `contacts.0.email` → ['contacts', '0', 'email'] ('[]' = every element). */
function pathParts(path: string): string[] {
	return path
		.replace(/\[(\d*)\]/g, (_m, index: string) => `.${index === '' ? '[]' : index}`)
		.split('.')
		.filter((part) => part !== '');
}

function readParts(value: unknown, parts: string[]): unknown {
	for (let i = 0; i < parts.length; i++) {
		const part = parts[i];
		if (value === null || typeof value !== 'object') return undefined;
		if (Array.isArray(value) && !/^\d+$/.test(part)) {
			// A list without an index: the first element that has the field.
			const rest = part === '[]' ? parts.slice(i + 1) : parts.slice(i);
			for (const element of value) {
				const found = readParts(element, rest);
				if (found !== undefined && found !== null && found !== '') return found;
			}
			return undefined;
		}
		value = (value as IDataObject)[part];
	}
	return value;
}

function readPath(json: IDataObject, path: string): unknown {
	if (path in json) return json[path];
	return readParts(json, pathParts(path));
}

/** A copy of `value` without the field at `parts`; lists are walked element by element. */
function withoutParts(value: unknown, parts: string[]): unknown {
	if (value === null || typeof value !== 'object' || !parts.length) return value;
	const [part, ...rest] = parts;
	if (Array.isArray(value)) {
		if (/^\d+$/.test(part)) {
			const index = Number(part);
			if (index >= value.length) return value;
			const copy = value.slice();
			copy[index] = rest.length ? withoutParts(copy[index], rest) : undefined;
			return rest.length ? copy : copy.filter((_, i) => i !== index);
		}
		// No index: the field goes from every element (`contacts[].email`).
		const inner = part === '[]' ? rest : parts;
		return inner.length ? value.map((element) => withoutParts(element, inner)) : value;
	}
	const copy = { ...(value as IDataObject) };
	if (!rest.length) delete copy[part];
	else if (part in copy) copy[part] = withoutParts(copy[part], rest) as IDataObject;
	return copy;
}

/** Removes a field by the same path readPath follows; copies what it walks through (the input stays as it was). */
function removePath(json: IDataObject, path: string): void {
	if (path in json) {
		delete json[path];
		return;
	}
	const parts = pathParts(path);
	const [first, ...rest] = parts;
	if (first === undefined || !(first in json)) return;
	if (!rest.length) delete json[first];
	else json[first] = withoutParts(json[first], rest) as IDataObject;
}

export class HashIdentifiers implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Hash Identifiers',
		name: 'hashIdentifiers',
		icon: { light: 'file:hashIdentifiers.svg', dark: 'file:hashIdentifiers.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: 'Normalize and SHA-256',
		description:
			'Normalizes e-mails, phones and the other Meta match keys by Meta’s rules and hashes them with SHA-256',
		defaults: { name: 'Hash Identifiers' },
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		usableAsTool: true,
		properties: [
			{
				displayName: 'Identifiers',
				name: 'identifiers',
				type: 'fixedCollection',
				typeOptions: { multipleValues: true, sortable: true },
				placeholder: 'Add identifier',
				description:
					'Which field feeds which Meta key. The order is the schema sent to Meta: keep it the same for the life of an audience.',
				default: {
					mapping: [
						{ key: 'EMAIL', field: 'email' },
						{ key: 'PHONE', field: 'phone' },
					],
				},
				options: [
					{
						displayName: 'Mapping',
						name: 'mapping',
						values: [
							{
								displayName: 'Meta Key',
								name: 'key',
								type: 'options',
								default: 'EMAIL',
								options: META_KEYS.map((key) => ({ name: KEY_LABELS[key] ?? key, value: key })),
							},
							{
								displayName: 'Field',
								name: 'field',
								type: 'string',
								default: '',
								placeholder: 'email',
								description: 'Name of the input field (dots for nested fields; contacts[].email for a field in every element of a list)',
							},
						],
					},
				],
			},
			{
				displayName: 'Country Field',
				name: 'countryField',
				type: 'string',
				default: 'country',
				description:
					'Field holding the profile’s country (ISO code or name), used for national phone numbers and ZIP codes',
			},
			{
				displayName: 'Default Country',
				name: 'defaultCountry',
				type: 'string',
				default: '',
				placeholder: 'BE',
				description: 'ISO 3166 alpha-2 code used when the item has no country (e.g. 0470 12 34 56 with BE → 32470123456)',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Remove Plain Identifiers',
						name: 'stripPlain',
						type: 'boolean',
						default: false,
						description: 'Whether to drop the mapped plain fields (except the external ID) from the output',
					},
					{
						displayName: 'Output Field',
						name: 'outputField',
						type: 'string',
						default: 'meta',
					},
				],
			},
		],
	};

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		const out: INodeExecutionData[] = [];
		for (let i = 0; i < items.length; i++) {
			try {
				const mapping = (this.getNodeParameter('identifiers.mapping', i, []) as Array<{ key: MetaKey; field: string }>) ?? [];
				if (!mapping.length) {
					throw new NodeOperationError(this.getNode(), 'No identifier is mapped', {
						itemIndex: i,
						description: 'Add at least one mapping, e.g. the field "email" to the Meta key EMAIL.',
					});
				}
				const seen = new Set<string>();
				for (const { key, field } of mapping) {
					if (seen.has(key)) {
						throw new NodeOperationError(this.getNode(), `The Meta key ${key} is mapped twice`, {
							itemIndex: i,
							description: 'Each Meta key may appear once in the schema.',
						});
					}
					seen.add(key);
					if (!field) {
						throw new NodeOperationError(this.getNode(), `No field is given for the Meta key ${key}`, { itemIndex: i });
					}
				}
				const countryField = this.getNodeParameter('countryField', i, 'country') as string;
				const defaultCountry = (this.getNodeParameter('defaultCountry', i, '') as string).trim();
				const options = this.getNodeParameter('options', i, {}) as { stripPlain?: boolean; outputField?: string };
				const json = { ...(items[i].json ?? {}) } as IDataObject;
				const schema = mapping.map((m) => m.key);
				const values: Partial<Record<MetaKey, unknown>> = {};
				for (const { key, field } of mapping) values[key] = readPath(json, field);
				const country = countryField ? readPath(json, countryField) : undefined;
				const built = buildMetaRow(schema, values, {
					defaultCountry: defaultCountry || undefined,
					country: typeof country === 'string' ? country : undefined,
				});
				if (options.stripPlain) {
					for (const { key, field } of mapping) if (key !== 'EXTERN_ID') removePath(json, field);
				}
				json[options.outputField || 'meta'] = {
					schema,
					row: built.row,
					invalid: built.invalid,
					hasMatchKey: built.hasMatchKey,
				};
				out.push({ json, pairedItem: { item: i } });
			} catch (error) {
				if (this.continueOnFail()) {
					out.push({ json: { error: (error as Error).message }, pairedItem: { item: i } });
					continue;
				}
				throw toNodeError(this.getNode(), error, i);
			}
		}
		return [out];
	}
}
