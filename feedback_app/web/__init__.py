"""Infrastructure of every page: transport and browser security, input refused at the door, error pages, the base
form. Imports no domain.
"""
