/* The source report's chart: leads, opportunities and won per channel, drawn
   with the Chart.js Crossdock serves itself from the figures in #source-data
   (the table under it carries the same numbers). */
(function () {
    "use strict";
    var source = document.getElementById("source-data");
    var canvas = document.getElementById("chart-sources");
    if (!source || !canvas || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    function set(key, color) {
        return {label: data.names[key], data: data[key], backgroundColor: color};
    }
    new Chart(canvas, {
        type: "bar",
        data: {labels: data.labels,
               datasets: [set("leads", "#337ab7"), set("converted", "#f0ad4e"),
                          set("won", "#5cb85c")]},
        options: {responsive: true, maintainAspectRatio: false,
                  scales: {y: {beginAtZero: true, ticks: {precision: 0}}}}
    });
}());
