namespace NeuronHost.Kernels.Tests;
