namespace NeuronHost.Runtime.Tests;
