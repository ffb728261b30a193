import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { ActitoApi } from '../../../core/actito/actitoApi';
import { actitoClientFrom } from '../../shared/transport';

function matches(filter: string | undefined, ...values: string[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return values.some((v) => v.toLowerCase().includes(needle));
}

export async function searchTables(this: ILoadOptionsFunctions, filter?: string): Promise<INodeListSearchResult> {
	const api = new ActitoApi(await actitoClientFrom(this));
	const tables = await api.listProfileTables();
	return {
		results: tables
			.filter((t) => matches(filter, t.name, t.id))
			.map((t) => ({ name: `${t.name} (${t.id})`, value: t.name })),
	};
}

export async function searchSegmentations(
	this: ILoadOptionsFunctions,
	filter?: string,
): Promise<INodeListSearchResult> {
	const table = this.getNodeParameter('table', '', { extractValue: true }) as string;
	if (!table) return { results: [] };
	const api = new ActitoApi(await actitoClientFrom(this));
	const found = await api.getProfileTable(table);
	return {
		results: found.segmentations
			.map((s) => `${s.category}:${s.name}`)
			.filter((key) => matches(filter, key))
			.map((key) => ({ name: key.replace(':', ' → '), value: key })),
	};
}
