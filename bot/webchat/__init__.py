"""The resident web chat: the page, its script and style, and the embeddable widget."""
