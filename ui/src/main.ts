import { mount } from "svelte";
import "./app.css";
import App from "./App.svelte";
import { markAfterPaint } from "./lib/startup";

const app = mount(App, { target: document.getElementById("app")! });
markAfterPaint("first_paint");

export default app;
