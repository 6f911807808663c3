"""The model over time: reading the model as it was at each commit (`gitio`), what changed
in ownership between two models (`diff`), and the handbook's ownership log (`log`)."""
