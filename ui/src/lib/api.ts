// The UI's only door to the backend. Every call returns a `Result` and never
// throws, whatever the IPC layer does. Views import from here, not from the
// generated bindings, so a command that does not exist yet has one place to live.

import {
  commands,
  type Account_Serialize,
  type AppInfo_Serialize,
  type Post_Serialize,
  type PostInput_Deserialize,
  type Settings_Deserialize,
  type Settings_Serialize,
  type TimeRange,
} from "./bindings";
import { settle, type Result } from "./result";

export type Post = Post_Serialize;
export type Account = Account_Serialize;
export type AppInfo = AppInfo_Serialize;
export type Settings = Settings_Serialize;
export type PostInput = PostInput_Deserialize;

export const api = {
  appInfo: (): Promise<Result<AppInfo>> => settle(() => commands.appInfo()),
  listPosts: (range: TimeRange): Promise<Result<Post[]>> => settle(() => commands.listPosts(range)),
  listUnscheduledDrafts: (): Promise<Result<Post[]>> =>
    settle(() => commands.listUnscheduledDrafts()),
  getPost: (id: number): Promise<Result<Post>> => settle(() => commands.getPost(id)),
  createPost: (input: PostInput): Promise<Result<Post>> => settle(() => commands.createPost(input)),
  updatePost: (id: number, input: PostInput): Promise<Result<Post>> =>
    settle(() => commands.updatePost(id, input)),
  reschedulePost: (id: number, scheduledAt: string | null, zone: string): Promise<Result<Post>> =>
    settle(() => commands.reschedulePost(id, scheduledAt, zone)),
  deletePost: (id: number): Promise<Result<null>> => settle(() => commands.deletePost(id)),
  listAccounts: (): Promise<Result<Account[]>> => settle(() => commands.listAccounts()),
  getSettings: (): Promise<Result<Settings>> => settle(() => commands.getSettings()),
  saveSettings: (settings: Settings_Deserialize): Promise<Result<Settings>> =>
    settle(() => commands.saveSettings(settings)),

  /**
   * Whether the creator has any post at all, scheduled or not (drives the
   * calendar's "No posts yet" notice).
   *
   * STOPGAP: the backend has no `count_posts` command yet, so this asks for
   * every scheduled post over all time and checks the unscheduled drafts. It is
   * only called when the visible range and the drafts list are both empty.
   * Replace with a `count_posts` / `has_posts` command when it exists.
   */
  hasAnyPosts: async (): Promise<Result<boolean>> => {
    const drafts = await api.listUnscheduledDrafts();
    if (drafts.status === "error") return drafts;
    if (drafts.data.length > 0) return { status: "ok", data: true };
    const all = await api.listPosts({
      start: "1970-01-01T00:00:00Z",
      end: "9999-12-31T00:00:00Z",
    });
    if (all.status === "error") return all;
    return { status: "ok", data: all.data.length > 0 };
  },
};
