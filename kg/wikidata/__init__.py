"""Wikidata workflows: the graph's facts as Wikidata claims, and Wikidata's tools on the graph.

``claims`` reads the store into Wikidata-shaped claims with their article sources,
once, for two renderings: ``quickstatements`` (commands an editor can run on
Wikidata) and ``wikibase`` (a view of the graph in the RDF shape of the Wikidata
Query Service). ``reconcile`` answers the W3C Reconciliation Service API over the
graph's persons and governments, and ``link`` proposes Wikidata ids for entities
that have none. What maps to what is data: ``mappings/wikidata.yaml``.
"""
