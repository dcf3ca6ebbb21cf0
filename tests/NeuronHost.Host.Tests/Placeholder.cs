namespace NeuronHost.Host.Tests;
