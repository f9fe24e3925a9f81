"""Lineage: what depends on what. The last stages of a scan (`link`, then `reach`, once each)
and the aggregator's links between repositories (`across`). The graph they read is built by
detection (`scanner.pipeline.modules`); the views (`view`, `html`) are imported on demand.
"""

from scanner.lineage.across import Across, across
from scanner.lineage.graph import Graph, Node
from scanner.lineage.links import RELATIONS, link
from scanner.lineage.reach import reach

__all__ = ["RELATIONS", "Across", "Graph", "Node", "across", "link", "reach"]
