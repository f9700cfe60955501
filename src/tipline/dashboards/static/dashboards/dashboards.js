/* Draws the dashboards' charts with the vendored Chart.js, from the JSON the page embeds
   (json_script "dashboard-charts"). Without JavaScript the tables carry the same figures, so
   this only shows each chart and folds its table away. */
(function () {
  "use strict";

  // Okabe-Ito, distinguishable with the common colour-vision deficiencies; repeats past eight.
  var PALETTE = ["#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9",
    "#F0E442", "#000000"];

  function colour(i) {
    return PALETTE[i % PALETTE.length];
  }

  function config(spec) {
    // Counts are whole numbers; only the hours of time to triage have decimals.
    var ticks = spec.kind === "bar" ? { precision: 0 } : {};
    var axes = {
      x: { stacked: spec.stacked, beginAtZero: true, ticks: spec.horizontal ? ticks : {} },
      y: { stacked: spec.stacked, beginAtZero: true, ticks: spec.horizontal ? {} : ticks }
    };
    return {
      type: spec.kind,
      data: {
        labels: spec.labels,
        datasets: spec.datasets.map(function (set, i) {
          return {
            label: set.label,
            data: set.data,
            backgroundColor: colour(i),
            borderColor: colour(i),
            spanGaps: true
          };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        indexAxis: spec.horizontal ? "y" : "x",
        scales: axes,
        plugins: { legend: { position: "bottom" } }
      }
    };
  }

  function draw(spec) {
    var canvas = document.getElementById("chart-" + spec.name);
    if (!canvas) {
      return;
    }
    var box = canvas.parentElement;
    box.hidden = false;
    new window.Chart(canvas, config(spec));
    var numbers = box.nextElementSibling;
    if (numbers && numbers.tagName === "DETAILS") {
      numbers.open = false;
    }
  }

  function start() {
    var source = document.getElementById("dashboard-charts");
    if (!source || !window.Chart) {
      return;
    }
    JSON.parse(source.textContent).forEach(draw);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
