// Bar chart of allele frequency by population (Chart.js), with a linear/log axis switch. The
// numbers are the frequency table's, which stands beside the chart (the chart is decoration for
// sighted users; the table is the accessible form, so the canvas is aria-hidden).
import { BarController, BarElement, CategoryScale, Chart, LinearScale, LogarithmicScale, Tooltip } from "chart.js";
import { h } from "./dom";

Chart.register(BarController, BarElement, CategoryScale, LinearScale, LogarithmicScale, Tooltip);

export interface Bar {
  label: string;
  value: number;
}

export class AfChart {
  readonly element: HTMLElement;
  private chart: Chart | null = null;

  constructor(private readonly bars: Bar[]) {
    const canvas = h("canvas", { "aria-hidden": "true", "data-testid": "af-chart", width: 480, height: 260 });
    const log = h("input", { type: "checkbox", id: "af-log" });
    log.addEventListener("change", () => this.draw(canvas, log.checked));
    this.element = h("figure", { class: "chart" }, canvas, h("figcaption", {}, h("label", { for: "af-log" }, log, " logarithmic axis"), " · AF by population (same numbers as the table)"));
    // Drawn once the canvas is in the document (Chart.js measures its parent).
    requestAnimationFrame(() => this.draw(canvas, false));
  }

  // The values drawn, for tests and the data-values attribute.
  values(): number[] {
    return this.bars.map((b) => b.value);
  }

  private draw(canvas: HTMLCanvasElement, logarithmic: boolean): void {
    this.chart?.destroy();
    canvas.dataset.values = JSON.stringify(this.values());
    canvas.dataset.labels = JSON.stringify(this.bars.map((b) => b.label));
    this.chart = new Chart(canvas, {
      type: "bar",
      data: {
        labels: this.bars.map((b) => b.label),
        datasets: [{ label: "AF", data: this.bars.map((b) => (logarithmic && b.value === 0 ? null : b.value)), backgroundColor: "#1d5c96" }],
      },
      options: {
        animation: false,
        responsive: false,
        scales: { y: logarithmic ? { type: "logarithmic", title: { display: true, text: "AF (log)" } } : { type: "linear", beginAtZero: true, title: { display: true, text: "AF" } } },
      },
    });
  }
}
