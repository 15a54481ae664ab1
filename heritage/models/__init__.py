"""Models of the heritage app: communities, gatherings and registrations, heritage items and
walks (RULES 27-30)."""

from heritage.models.communities import CommunityMembership, HeritageCommunity
from heritage.models.gatherings import Gathering, Registration
from heritage.models.items import HeritageItem, ItemImage, Walk, WalkStop

__all__ = [
    "CommunityMembership",
    "Gathering",
    "HeritageCommunity",
    "HeritageItem",
    "ItemImage",
    "Registration",
    "Walk",
    "WalkStop",
]
