"""Scoring: article quality (0-100, with the signals behind it) and the headline model it uses.

- :func:`score_quality` - an :class:`~topicwire.model.Article` -> :class:`Quality`;
- :func:`clickbait_probability` - a headline -> probability of clickbait (packaged linear model).
"""

from topicwire.score.clickbait import clickbait_probability
from topicwire.score.quality import Quality, QualitySignal, score_quality

__all__ = ["Quality", "QualitySignal", "clickbait_probability", "score_quality"]
