import type { INodeTypeDescription } from 'n8n-workflow';

import { ActitoAudienceTrigger } from '../ActitoAudienceTrigger/ActitoAudienceTrigger.node';

/**
 * The Actito Audience Trigger as new workflows get it: its own card in the node panel, beside
 * Actito Webhook Trigger (the earlier type name was folded into the Actito Audience card).
 */
export class ActitoAudienceMembersTrigger extends ActitoAudienceTrigger {
	description: INodeTypeDescription = {
		...new ActitoAudienceTrigger().description,
		name: 'actitoAudienceMembersTrigger',
		hidden: undefined,
	};
}
