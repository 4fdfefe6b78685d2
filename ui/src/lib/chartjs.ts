// Chart.js with only the parts CreatorFlow's charts use: bars for the
// Analytics view's totals per day, a line for one post's snapshots, a
// category axis of labels (no date adapter), a number axis and tooltips.
// Loaded with `loadChart()` so the first screen does not carry it.

import {
  BarController,
  BarElement,
  CategoryScale,
  Chart,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
} from "chart.js";

Chart.register(
  BarController,
  BarElement,
  CategoryScale,
  LinearScale,
  LineController,
  LineElement,
  PointElement,
  Tooltip,
);

export { Chart };
