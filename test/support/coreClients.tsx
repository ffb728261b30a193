// The two core API clients against the sandboxes, as a programmatic user builds them: no waits
// (tests never depend on the clock), the licence's full 100 calls a minute.
import { ActitoApi } from '../../core/actito/actitoApi';
import { ActitoClient } from '../../core/actito/actitoClient';
import { MetaClient } from '../../core/meta/metaClient';
import type { Sandboxes } from '../nodes/sandboxes';
import { createNodeTransport } from './nodeTransport';

const noWait = async () => {};

export function coreClients(s: Sandboxes): { actito: ActitoApi; meta: MetaClient } {
	const transport = createNodeTransport();
	const actito = new ActitoApi(
		new ActitoClient({ credentials: { apiKey: s.actitoCredentials.apiKey, baseUrl: s.actito.url, entity: 'acme' }, transport, sleep: noWait, callsPerMinute: 100 }),
	);
	const meta = new MetaClient({ credentials: { ...s.metaCredentials }, transport, sleep: noWait });
	return { actito, meta };
}
