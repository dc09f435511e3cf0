import type { EventChannel, EventMap } from '../../../app/contract.ts';

type AnyListener = (payload: unknown) => void;

/** Listeners per event channel, for transports that receive frames themselves (SSE). */
export class ListenerRegistry {
  private readonly byEvent = new Map<EventChannel, Set<AnyListener>>();

  add<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    let set = this.byEvent.get(event);
    if (!set) {
      set = new Set();
      this.byEvent.set(event, set);
    }
    // Stored type-erased; `emit` only delivers payloads whose frame named this same event.
    const erased = listener as AnyListener;
    set.add(erased);
    return () => {
      set.delete(erased);
    };
  }

  emit<E extends EventChannel>(event: E, payload: EventMap[E]): void {
    const set = this.byEvent.get(event);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(payload);
      } catch (err) {
        // One broken listener must not starve the others of events.
        console.error(`Listener for ${event} failed`, err);
      }
    }
  }

  get size(): number {
    let total = 0;
    for (const set of this.byEvent.values()) total += set.size;
    return total;
  }
}
