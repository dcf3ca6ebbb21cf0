namespace NeuronHost.Plugins.Tests;
