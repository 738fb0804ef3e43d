"""Readers of model files and inputs. Only this package imports h5py."""
