// One listener for the backend's `data-changed` event, fanned out to the views
// that care. Views subscribe per entity and reload what they show.

import { events, type DataChanged, type Entity } from "./bindings";

export type ChangeHandler = (change: DataChanged) => void;
type Listen = (cb: (event: { payload: DataChanged }) => void) => Promise<() => void>;

export interface LiveHub {
  /** Calls `handler` for every change of `entity`; returns the unsubscribe function. */
  on(entity: Entity, handler: ChangeHandler): () => void;
  /** Delivers a change as if the backend had sent it (tests, local echo). */
  dispatch(change: DataChanged): void;
  /** Stops listening to the backend. */
  close(): void;
}

/** A hub over `listen`, which is called once, on the first subscription. */
export function createLiveHub(listen: Listen): LiveHub {
  const handlers = new Map<Entity, Set<ChangeHandler>>();
  let unlisten: (() => void) | null = null;
  let started = false;
  let closed = false;

  const dispatch = (change: DataChanged): void => {
    for (const handler of handlers.get(change.entity) ?? []) {
      try {
        handler(change);
      } catch (e) {
        console.error("a data-changed handler failed", e);
      }
    }
  };

  const start = (): void => {
    if (started) return;
    started = true;
    listen((event) => dispatch(event.payload))
      .then((stop) => {
        if (closed) stop();
        else unlisten = stop;
      })
      .catch((e: unknown) => {
        // Outside the app window (plain browser during development) there is
        // no backend to listen to; the views still work from their own loads.
        console.warn("not listening for data changes", e);
      });
  };

  return {
    on(entity, handler) {
      start();
      let set = handlers.get(entity);
      if (!set) handlers.set(entity, (set = new Set()));
      set.add(handler);
      return () => {
        set.delete(handler);
      };
    },
    dispatch,
    close() {
      closed = true;
      unlisten?.();
      unlisten = null;
    },
  };
}

const safeListen: Listen = (cb) => {
  try {
    return events.dataChanged.listen(cb);
  } catch (e) {
    return Promise.reject(e);
  }
};

/** The app's hub. */
export const live: LiveHub = createLiveHub(safeListen);

/**
 * Listens to one backend event without ever throwing (outside the app window
 * there is none); returns the function that stops listening.
 */
export function listenSafely<T>(
  listen: (cb: (event: { payload: T }) => void) => Promise<() => void>,
  handler: (payload: T) => void,
): () => void {
  let stop: (() => void) | null = null;
  let stopped = false;
  try {
    listen((event) => handler(event.payload))
      .then((unlisten) => {
        if (stopped) unlisten();
        else stop = unlisten;
      })
      .catch((e: unknown) => console.warn("not listening for an event", e));
  } catch (e) {
    console.warn("not listening for an event", e);
  }
  return () => {
    stopped = true;
    stop?.();
  };
}

/** A notification was clicked: the backend asks the window to show that post. */
export function onOpenPost(handler: (postId: number) => void): () => void {
  return listenSafely(events.openPost.listen, (payload) => handler(payload.postId));
}
