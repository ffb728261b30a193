import type { ILoadOptionsFunctions, INodeListSearchResult } from 'n8n-workflow';

import { metaClientFrom } from '../../shared/transport';
import { adAccountIdFrom } from '../shared';

function matches(filter: string | undefined, ...values: string[]): boolean {
	if (!filter) return true;
	const needle = filter.toLowerCase();
	return values.some((v) => v.toLowerCase().includes(needle));
}

export async function searchAdAccounts(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = await metaClientFrom(this);
	const page = await client.listAdAccounts({ after: paginationToken });
	return {
		results: page.adAccounts
			.filter((a) => matches(filter, a.name ?? '', a.id))
			.map((a) => ({
				name: `${a.name ?? a.id} (${a.id})`,
				value: a.id,
				url: `https://adsmanager.facebook.com/adsmanager/manage/campaigns?act=${a.id.replace(/^act_/, '')}`,
			})),
		paginationToken: page.nextCursor,
	};
}

export async function searchAudiences(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const adAccount = this.getNodeParameter('adAccount', '', { extractValue: true }) as string;
	if (!adAccount) return { results: [] };
	const accountId = adAccountIdFrom(adAccount);
	const client = await metaClientFrom(this);
	const page = await client.listCustomerListAudiencesPage(accountId, { after: paginationToken, limit: 100 });
	return {
		results: page.audiences
			.filter((a) => matches(filter, a.name ?? '', a.id))
			.map((a) => ({
				name: `${a.name} (${a.id})`,
				value: a.id,
				url: `https://adsmanager.facebook.com/adsmanager/audiences?act=${accountId.replace(/^act_/, '')}&ids=${a.id}`,
			})),
		// Meta may return short or empty pages while more exist: keep paging until no cursor.
		paginationToken: page.nextCursor,
	};
}
