/* Sales dashboard charts: drawn with the Chart.js Crossdock serves itself
   (core/static/vendor/chartjs) from the figures embedded in the page
   (#dashboard-data, the same JSON as /sales/dashboard/data). The tables under
   each chart carry the same numbers for screen readers and phones. */
(function () {
    "use strict";
    var source = document.getElementById("dashboard-data");
    if (!source || !window.Chart) { return; }
    var data = JSON.parse(source.textContent);
    var labels = JSON.parse(document.getElementById("dashboard-labels").textContent);
    var blue = "#337ab7", orange = "#f0ad4e", green = "#5cb85c", red = "#d9534f";
    window.crossdockCharts = window.crossdockCharts || {};

    function num(x) { return x == null ? 0 : Number(x); }

    function draw(name, type, names, datasets, options) {
        var canvas = document.getElementById("chart-" + name);
        if (!canvas) { return; }
        var opts = {responsive: true, maintainAspectRatio: false,
                    plugins: {legend: {display: datasets.length > 1}}};
        Object.keys(options || {}).forEach(function (k) { opts[k] = options[k]; });
        window.crossdockCharts[name] = new Chart(canvas, {
            type: type, data: {labels: names, datasets: datasets}, options: opts});
    }

    // funnel: open opportunities (bars, left axis) and their value (right axis)
    data.funnel.forEach(function (pipeline, i) {
        var stages = pipeline.stages;
        draw("funnel-" + i, "bar", stages.map(function (s) { return s.name; }), [
            {label: labels.count, data: stages.map(function (s) { return s.count; }),
             backgroundColor: blue, yAxisID: "y"},
            {label: labels.value, data: stages.map(function (s) { return num(s.value); }),
             backgroundColor: orange, yAxisID: "y1"}
        ], {scales: {y: {beginAtZero: true, ticks: {precision: 0}, position: "left"},
                     y1: {beginAtZero: true, position: "right", grid: {drawOnChartArea: false}}}});
    });

    draw("forecast", "bar", data.forecast.map(function (m) { return m.month; }), [
        {label: labels.weighted, data: data.forecast.map(function (m) { return num(m.value); }),
         backgroundColor: green}
    ], {scales: {y: {beginAtZero: true}}});

    draw("lost-reason", "bar", data.lost_by_reason.map(function (r) {
        return r.reason || labels.no_reason;
    }), [
        {label: labels.lost, data: data.lost_by_reason.map(function (r) { return r.count; }),
         backgroundColor: red}
    ], {indexAxis: "y", scales: {x: {beginAtZero: true, ticks: {precision: 0}}}});

    draw("by-owner", "bar", data.by_owner.map(function (o) { return o.owner || labels.no_owner; }), [
        {label: labels.won, data: data.by_owner.map(function (o) { return o.won_count; }),
         backgroundColor: green},
        {label: labels.lost, data: data.by_owner.map(function (o) { return o.lost_count; }),
         backgroundColor: red}
    ], {scales: {y: {beginAtZero: true, ticks: {precision: 0}}}});

    draw("backlog", "bar", data.backlog.map(function (b) { return b.owner; }), [
        {label: labels.overdue, data: data.backlog.map(function (b) { return b.overdue; }),
         backgroundColor: red},
        {label: labels.today, data: data.backlog.map(function (b) { return b.today; }),
         backgroundColor: orange},
        {label: labels.upcoming, data: data.backlog.map(function (b) { return b.upcoming; }),
         backgroundColor: blue}
    ], {scales: {x: {stacked: true}, y: {stacked: true, beginAtZero: true,
                                           ticks: {precision: 0}}}});
}());
