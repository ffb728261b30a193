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

interface AllAudiencesCursor {
	/** Cursor of the ad-account page being walked (absent: the first page). */
	accounts?: string;
	/** Index of the ad account in that page. */
	index: number;
	/** Cursor inside that ad account's audiences. */
	after?: string;
}

function readCursor(token: string | undefined): AllAudiencesCursor {
	if (!token) return { index: 0 };
	try {
		const parsed = JSON.parse(token) as AllAudiencesCursor;
		return { accounts: parsed.accounts, index: Number(parsed.index) || 0, after: parsed.after };
	} catch {
		return { index: 0 };
	}
}

/**
 * The customer-list audiences of every ad account the token reaches, for a node that has no ad
 * account field (Actito Audience). One ad account per page: two Graph calls a page, whatever the
 * number of accounts.
 */
export async function searchAllAudiences(
	this: ILoadOptionsFunctions,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const client = await metaClientFrom(this);
	const at = readCursor(paginationToken);
	const accounts = await client.listAdAccounts({ after: at.accounts, limit: 50 });
	const account = accounts.adAccounts[at.index];
	const nextAccount = (): string | undefined => {
		if (at.index + 1 < accounts.adAccounts.length) return JSON.stringify({ accounts: at.accounts, index: at.index + 1 });
		return accounts.nextCursor ? JSON.stringify({ accounts: accounts.nextCursor, index: 0 }) : undefined;
	};
	if (!account) return { results: [], paginationToken: nextAccount() };
	const accountId = adAccountIdFrom(account.id);
	const page = await client.listCustomerListAudiencesPage(accountId, { after: at.after, limit: 100 });
	const accountName = account.name ?? account.id;
	return {
		results: page.audiences
			.filter((a) => matches(filter, a.name ?? '', String(a.id), accountName))
			.map((a) => ({
				name: `${a.name} (${accountName})`,
				value: String(a.id),
				url: `https://adsmanager.facebook.com/adsmanager/audiences?act=${accountId.replace(/^act_/, '')}&ids=${a.id}`,
			})),
		paginationToken: page.nextCursor ? JSON.stringify({ accounts: at.accounts, index: at.index, after: page.nextCursor }) : nextAccount(),
	};
}
