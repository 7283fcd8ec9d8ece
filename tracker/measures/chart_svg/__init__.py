"""The parts of a chart's SVG geometry: shapes and colours, axes, marks, annotations, legend.

`tracker.measures.charts.layout` puts them together; the template `measures/_chart_svg.html`
only places the shapes.
"""
