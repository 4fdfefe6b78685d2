// One listener for the backend's `data-changed` event, fanned out to the views
// that care. Views subscribe per entity and reload what they show.

import {
  events,
  type ConnectResult_Serialize,
  type DataChanged,
  type Entity,
  type NoticeRaised_Serialize,
  type UploadProgress,
} from "./bindings";
import { api } from "./api";
import type { Result } from "./result";

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

type EventListen<T> = (cb: (event: { payload: T }) => void) => Promise<() => void>;

export interface EventHub<T> {
  /** Calls `handler` for every event; returns the unsubscribe function. */
  on(handler: (payload: T) => void): () => void;
  /** Delivers an event as if the backend had sent it (tests, requests from inside the UI). */
  dispatch(payload: T): void;
  /** Stops listening to the backend. */
  close(): void;
}

/**
 * One backend listener for one event, fanned out to every subscriber. It
 * starts listening on the first subscription and never throws (outside the
 * app window there is no backend).
 */
export function createEventHub<T>(listen: EventListen<T> | null): EventHub<T> {
  const handlers = new Set<(payload: T) => void>();
  let stop: (() => void) | null = null;
  let started = false;

  const dispatch = (payload: T): void => {
    for (const handler of [...handlers]) {
      try {
        handler(payload);
      } catch (e) {
        console.error("an event handler failed", e);
      }
    }
  };

  return {
    on(handler) {
      if (!started && listen) {
        started = true;
        stop = listenSafely(listen, dispatch);
      }
      handlers.add(handler);
      return () => {
        handlers.delete(handler);
      };
    },
    dispatch,
    close() {
      stop?.();
      stop = null;
    },
  };
}

/** How connecting an account ended (the browser came back, or the flow failed). */
export const connectResults = createEventHub<ConnectResult_Serialize>(
  events.connectResult.listen as EventListen<ConnectResult_Serialize>,
);
/** Notices the engine raised (also shown as OS notifications). */
export const notices = createEventHub<NoticeRaised_Serialize>(
  events.noticeRaised.listen as EventListen<NoticeRaised_Serialize>,
);
/** Upload progress of targets being published. */
export const uploads = createEventHub<UploadProgress>(events.uploadProgress.listen);
/**
 * "Show this post": a clicked OS notification (backend `open-post`), a clicked
 * toast or an Edit button in Activity. The calendar opens it in the composer.
 */
export const openPostRequests = createEventHub<number>((cb) =>
  // The backend keeps the request until the UI takes it; the event only says
  // "take it now" (a UI still loading takes it in `takeOpenPostRequest`).
  events.openPost.listen(() => void takeOpenPostRequest((postId) => cb({ payload: postId }))),
);

/**
 * Takes the backend's pending "show this post" request, if any (a window
 * recreated by a notification click has not loaded when the click comes), and
 * hands it to `deliver` (by default, to the subscribers of `onOpenPost`).
 */
export async function takeOpenPostRequest(
  deliver: (postId: number) => void = (postId) => openPostRequests.dispatch(postId),
  take: () => Promise<Result<number | null>> = api.takeOpenPost,
): Promise<void> {
  const r = await take();
  if (r.status === "ok" && r.data !== null) deliver(r.data);
}

/** Asks the main window to show a post in the composer (from inside the UI). */
export function requestOpenPost(postId: number): void {
  openPostRequests.dispatch(postId);
}

/** A notification was clicked (or the UI asked): show that post. */
export function onOpenPost(handler: (postId: number) => void): () => void {
  return openPostRequests.on(handler);
}
