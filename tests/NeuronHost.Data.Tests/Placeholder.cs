namespace NeuronHost.Data.Tests;
