"""Learning-session slides: a site's storyboard or one ramp as a PowerPoint file and a PDF."""

from .deck import ramp_slides, storyboard_slides
from .files import PDF_TYPE, PPTX_TYPE, to_pdf, to_pptx

__all__ = ["PDF_TYPE", "PPTX_TYPE", "ramp_slides", "storyboard_slides", "to_pdf", "to_pptx"]
