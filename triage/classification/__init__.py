"""Classifying verbatims into feedback types: the PURE classifier, training and built-in types, and the models kept
in the database.
"""
