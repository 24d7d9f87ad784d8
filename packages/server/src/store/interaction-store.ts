// Pending authorization requests, between the authorization endpoint, login and consent.
import type { InteractionRecord } from './records.ts';

export interface InteractionStore {
  createInteraction(interaction: InteractionRecord): Promise<void>;
  /** The interaction, unless it is unknown or expired. */
  getInteraction(id: string, now: number): Promise<InteractionRecord | undefined>;
  /** Removes the interaction and returns it exactly once (so a form cannot be replayed); undefined when gone or expired. */
  consumeInteraction(id: string, now: number): Promise<InteractionRecord | undefined>;
}
